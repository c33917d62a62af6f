using System.Diagnostics;

namespace GradCamSharp.Pipeline;

/// <summary>
/// An output folder written all or nothing. Files are staged in a hidden folder inside it and published only when the
/// whole job succeeded; disposing without publishing removes the staging folder (and the output folder, when this run
/// created it), so a failure or an interruption leaves nothing half-written.
/// </summary>
/// <remarks>
/// The folder keeps a record of what the last run published (<see cref="RecordName"/>). A folder that holds nothing
/// but a previous run's files is replaced as a whole: its old files go when the new ones arrive, so the folder always
/// equals its manifest. A folder holding anything else is refused unless overwriting is allowed; then the previous
/// run's files are replaced and files this tool never wrote are left alone.
/// </remarks>
public sealed class StagedOutput : IPhotoOutput, IDisposable
{
    /// <summary>The hidden file listing what the last run published, one relative path a line.</summary>
    public const string RecordName = ".gradcam-files";

    /// <summary>
    /// The hidden file a run holds locked (an exclusive file lock, released when the process ends however it ends)
    /// while it writes into the folder: a second run into the same folder is refused instead of mixing its files
    /// with the first's.
    /// </summary>
    public const string LockName = ".gradcam-lock";

    private const string Prefix = ".gradcam-staging-";
    private readonly List<string> _files = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly IReadOnlyList<string> _previous;
    private readonly bool _createdFolder;
    private readonly FileStream _lock;
    private readonly WriteBehind _writes = new();
    private bool _published;

    private StagedOutput(string outputDirectory, string folder, IReadOnlyList<string> previous, bool createdFolder,
        FileStream folderLock)
    {
        OutputDirectory = outputDirectory;
        Folder = folder;
        _previous = previous;
        _createdFolder = createdFolder;
        _lock = folderLock;
    }

    /// <summary>Where the files go.</summary>
    public string OutputDirectory { get; }

    /// <summary>The staging folder.</summary>
    public string Folder { get; }

    /// <summary>The files staged so far, relative to the output folder, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>
    /// Creates the output folder if needed and a staging folder inside it, after removing the staging folders that
    /// interrupted runs of other, no longer running, processes left behind.
    /// </summary>
    /// <param name="outputDirectory">The output folder.</param>
    /// <param name="overwrite">Allow a folder that holds files other than a previous run's.</param>
    /// <exception cref="OutputException">The folder cannot be created or written, or holds files of its own and
    /// <paramref name="overwrite"/> is false.</exception>
    public static StagedOutput Begin(string outputDirectory, bool overwrite = false)
    {
        ArgumentNullException.ThrowIfNull(outputDirectory);
        if (string.IsNullOrWhiteSpace(outputDirectory)) throw new UsageException("the output folder is empty");
        try
        {
            bool created = !Directory.Exists(outputDirectory);
            FileStream folderLock = CreateLocked(outputDirectory);
            try
            {
                RemoveStaleStaging(outputDirectory);
                IReadOnlyList<string> previous = ReadRecord(outputDirectory);
                if (!overwrite && ForeignEntry(outputDirectory, previous) is string foreign)
                {
                    throw new OutputException($"output folder '{outputDirectory}' holds '{foreign}', which gradcam " +
                        "did not write; choose an empty folder, or allow overwriting (--overwrite) to write beside it");
                }
                string folder = Path.Combine(outputDirectory, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
                Directory.CreateDirectory(folder);
                return new StagedOutput(outputDirectory, folder, previous, created, folderLock);
            }
            catch
            {
                folderLock.Dispose();
                throw;
            }
        }
        catch (Exception exception) when (exception is IOException and not OutputException
            or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{outputDirectory}': {exception.Message}",
                exception);
        }
    }

    /// <summary>
    /// Reserves a file name (relative to the output folder) and returns its staging path. A name staged before gets a
    /// numbered suffix ("dog_gradcam-2.png"): output names are unique by construction.
    /// </summary>
    /// <param name="file">The wanted name.</param>
    /// <param name="name">The name actually reserved, as the manifest must record it.</param>
    public string Add(string file, out string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        name = file;
        string stem = Path.GetFileNameWithoutExtension(file);
        string extension = Path.GetExtension(file);
        for (int n = 2; !_names.Add(name) || name == RecordName; n++) name = $"{stem}-{n}{extension}";
        _files.Add(name);
        return Path.Combine(Folder, name);
    }

    /// <inheritdoc/>
    public void WriteBehind(Action write) => _writes.Enqueue(write);

    /// <summary>Waits for every write started with <see cref="WriteBehind"/>, then throws the first failure.</summary>
    public void Drain() => _writes.Drain();

    /// <summary>Reserves <paramref name="file"/>, which must not have been staged before (a fixed name).</summary>
    /// <exception cref="InvalidOperationException">The name was already staged.</exception>
    public string Add(string file)
    {
        string path = Add(file, out string name);
        if (name != file) throw new InvalidOperationException($"'{file}' was staged twice");
        return path;
    }

    /// <summary>
    /// Moves every staged file into the output folder, replacing files of the same name and removing the previous
    /// run's other files, all or nothing: if any move fails, the folder is put back as it was.
    /// </summary>
    /// <exception cref="OutputException">A file cannot be moved (the folder is left as it was).</exception>
    public void Publish()
    {
        _writes.Drain();
        string replaced = Path.Combine(Folder, ".replaced");
        var movedAside = new List<string>();
        var movedIn = new List<string>();
        try
        {
            Directory.CreateDirectory(replaced);
            File.WriteAllLines(Path.Combine(Folder, RecordName), _files);
            foreach (string file in _previous.Concat(_files).Append(RecordName).Distinct(StringComparer.Ordinal))
            {
                string target = Path.Combine(OutputDirectory, file);
                if (!File.Exists(target)) continue;
                File.Move(target, Path.Combine(replaced, Escape(file)));
                movedAside.Add(file);
            }
            foreach (string file in _files.Append(RecordName))
            {
                File.Move(Path.Combine(Folder, file), Path.Combine(OutputDirectory, file));
                movedIn.Add(file);
            }
            _published = true;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            Restore(movedIn, movedAside, replaced);
            throw new OutputException($"cannot write to output folder '{OutputDirectory}': {exception.Message}",
                exception);
        }
    }

    /// <summary>
    /// Waits for the writes still running, then removes the staging folder, and the output folder when this run
    /// created it and published nothing.
    /// </summary>
    public void Dispose()
    {
        _writes.Dispose();
        try
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
            if (!_published && _createdFolder && Directory.Exists(OutputDirectory)
                && Directory.EnumerateFileSystemEntries(OutputDirectory).All(e => Path.GetFileName(e) == LockName))
            {
                File.Delete(Path.Combine(OutputDirectory, LockName));
                Directory.Delete(OutputDirectory);
            }
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Disposal runs on the way out of a failure: nothing here may replace the error that got us here.
        }
        finally
        {
            _lock.Dispose();
        }
    }

    /// <summary>
    /// Creates <paramref name="outputDirectory"/> if needed and takes its lock (<see cref="LockName"/>; dispose the
    /// stream to release it): how every command that writes a folder claims it, this staged output, a dataset run, a
    /// streamed evaluation and a merge alike.
    /// </summary>
    /// <param name="outputDirectory">The folder.</param>
    /// <param name="empty">Refuse a folder that holds anything but the lock (a merge writes only into a new one).
    /// </param>
    /// <exception cref="OutputException">The path is a file, another run holds the lock, or the folder is not empty
    /// when <paramref name="empty"/>.</exception>
    public static FileStream CreateLocked(string outputDirectory, bool empty = false)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        if (File.Exists(outputDirectory)) throw new OutputException($"output folder '{outputDirectory}' is a file");
        Directory.CreateDirectory(outputDirectory);
        FileStream folderLock = Lock(outputDirectory);
        if (empty && Directory.EnumerateFileSystemEntries(outputDirectory)
            .Any(entry => Path.GetFileName(entry) != LockName))
        {
            folderLock.Dispose();
            throw new OutputException($"output folder '{outputDirectory}' is not empty; merge into a new folder");
        }
        return folderLock;
    }

    /// <summary>
    /// Takes the folder's lock, or refuses at once when another run holds it. The lock file stays (hidden, like the
    /// record): removing it would let a third run lock a new file while the second still waits on the old one.
    /// </summary>
    private static FileStream Lock(string outputDirectory)
    {
        string path = Path.Combine(outputDirectory, LockName);
        try
        {
            return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
        }
        catch (IOException exception) when (exception.HResult is 11 or 35 or 32 or unchecked((int)0x80070020))
        {
            throw new OutputException($"output folder '{outputDirectory}' is being written by another gradcam run; " +
                "wait for it to finish, or choose another folder", exception);
        }
    }

    /// <summary>Undoes a publication that failed half-way: new files out, replaced files back.</summary>
    private void Restore(List<string> movedIn, List<string> movedAside, string replaced)
    {
        foreach (string file in movedIn) TryMove(Path.Combine(OutputDirectory, file), Path.Combine(Folder, file));
        foreach (string file in movedAside)
            TryMove(Path.Combine(replaced, Escape(file)), Path.Combine(OutputDirectory, file));
    }

    private static void TryMove(string from, string to)
    {
        try
        {
            File.Move(from, to, overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            // Best effort: the original error is the one reported.
        }
    }

    private static string Escape(string file) => file.Replace('/', '_').Replace('\\', '_');

    private static string[] ReadRecord(string outputDirectory)
    {
        string record = Path.Combine(outputDirectory, RecordName);
        if (!File.Exists(record)) return [];
        // Only plain names inside the folder count: a tampered record must not make us touch anything else.
        return File.ReadAllLines(record)
            .Where(line => line.Length > 0 && !line.Contains("..",
                StringComparison.Ordinal) && !Path.IsPathRooted(line))
            .ToArray();
    }

    /// <summary>
    /// An entry of the folder that is neither a previous run's file, its record, nor a staging folder.
    /// </summary>
    private static string? ForeignEntry(string outputDirectory, IReadOnlyList<string> previous)
    {
        var known = new HashSet<string>(previous, StringComparer.Ordinal) { RecordName, LockName };
        return Directory.EnumerateFileSystemEntries(outputDirectory)
            .Select(Path.GetFileName)
            .FirstOrDefault(name => name is not null && !known.Contains(name)
                && !name.StartsWith(Prefix, StringComparison.Ordinal));
    }

    /// <summary>
    /// Staging folders named after a process that is no longer running: debris of an interrupted run.
    /// </summary>
    private static void RemoveStaleStaging(string outputDirectory)
    {
        foreach (string folder in Directory.EnumerateDirectories(outputDirectory, Prefix + "*"))
        {
            string[] parts = Path.GetFileName(folder)[Prefix.Length..].Split('-');
            if (!int.TryParse(parts[0], out int processId) || IsRunning(processId)) continue;
            try
            {
                Directory.Delete(folder, recursive: true);
            }
            catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
            {
                // Someone else's debris that we may not remove is not our failure.
            }
        }
    }

    private static bool IsRunning(int processId)
    {
        if (processId == Environment.ProcessId) return true;
        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Exception exception) when (exception is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }
}
