using System.IO.Enumeration;
using GradCamSharp.Imaging;

namespace GradCamSharp.Pipeline.Datasets;

/// <summary>
/// The photos of a dataset run, in a fixed order: a folder's image files found recursively (by their content, not
/// their names), or the paths a list names. Each photo has a key (its path relative to the folder, with '/', or the
/// list's line), an output subfolder mirroring its folder, and a stem unique within that subfolder, all independent
/// of the file system's order and of sharding, so that every shard names every file as one run would.
/// </summary>
public sealed class Dataset
{
    private Dataset(string description, IReadOnlyList<DatasetPhoto> photos, int otherFiles)
    {
        Description = description;
        Photos = photos;
        OtherFiles = otherFiles;
    }

    /// <summary>Where the photos come from, for messages: "folder photos/", "list train.txt".</summary>
    public string Description { get; }

    /// <summary>The photos, in the run's order.</summary>
    public IReadOnlyList<DatasetPhoto> Photos { get; }

    /// <summary>Files of the folder that are not images (skipped, counted).</summary>
    public int OtherFiles { get; }

    /// <summary>
    /// Every image file under <paramref name="folder"/>, recursively, in ordinal order of their relative paths.
    /// Hidden files and folders are skipped, symbolic links to folders are not followed (no cycles), and
    /// <paramref name="exclude"/> (the output folder, when it lies inside) is left out.
    /// </summary>
    /// <exception cref="UnreadableInputException">The folder does not exist, cannot be listed, or holds no photos.
    /// </exception>
    public static Dataset FromFolder(string folder, string? exclude = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(folder);
        if (!Directory.Exists(folder)) throw new UnreadableInputException($"folder '{folder}' does not exist");
        string root = Path.GetFullPath(folder);
        string? excluded = exclude is null ? null : Path.TrimEndingDirectorySeparator(Path.GetFullPath(exclude));
        var options = new EnumerationOptions
        {
            RecurseSubdirectories = true,
            AttributesToSkip = FileAttributes.Hidden | FileAttributes.System,
            IgnoreInaccessible = true,
        };
        try
        {
            var files = new FileSystemEnumerable<string>(root, (ref FileSystemEntry entry) => entry.ToFullPath(),
                options)
            {
                ShouldIncludePredicate = (ref FileSystemEntry entry) => !entry.IsDirectory,
                ShouldRecursePredicate = (ref FileSystemEntry entry) =>
                    (entry.Attributes & FileAttributes.ReparsePoint) == 0
                    && (excluded is null || !string.Equals(entry.ToFullPath(), excluded, StringComparison.Ordinal)),
            };
            var photos = new List<string>();
            int others = 0;
            foreach (string file in files)
            {
                if (ImageLoader.HasImageSignature(file)) photos.Add(file);
                else others++;
            }
            if (photos.Count == 0)
            {
                throw new UnreadableInputException($"folder '{folder}' holds no photos ({others} other file(s)); " +
                    "photos are JPEG, PNG, GIF, BMP or WebP files, found by their content");
            }
            var keyed = photos.Select(file => (Path: file, Key: Path.GetRelativePath(root, file).Replace('\\', '/')))
                .OrderBy(p => p.Key, StringComparer.Ordinal);
            return new Dataset($"folder {folder}", Name(keyed), others);
        }
        catch (Exception exception) when (exception is IOException and not UnreadableInputException
            or UnauthorizedAccessException)
        {
            throw new UnreadableInputException($"folder '{folder}' cannot be listed: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// The photos a list names, one path a line (relative paths are relative to <paramref name="baseFolder"/>), in the
    /// list's order; blank lines are skipped and a path named twice is taken once. Lines are not checked here: a
    /// missing or unreadable photo fails on its own when its turn comes.
    /// </summary>
    /// <param name="list">The list's text.</param>
    /// <param name="name">The list's name, for messages ("-" for standard input).</param>
    /// <param name="baseFolder">Where relative paths start; the current folder when null.</param>
    /// <exception cref="UnreadableInputException">The list names no photos.</exception>
    public static Dataset FromList(TextReader list, string name, string? baseFolder = null)
    {
        ArgumentNullException.ThrowIfNull(list);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var photos = new List<(string Path, string Key)>();
        for (string? line = list.ReadLine(); line is not null; line = list.ReadLine())
        {
            string key = line.Trim();
            if (key.Length == 0) continue;
            string path = baseFolder is null || Path.IsPathRooted(key) ? key : Path.Combine(baseFolder, key);
            if (seen.Add(Path.GetFullPath(path))) photos.Add((path, key));
        }
        if (photos.Count == 0) throw new UnreadableInputException($"list '{name}' names no photos");
        return new Dataset($"list {name}", Name(photos), 0);
    }

    /// <summary>This dataset's share for <paramref name="shard"/> (see <see cref="Shard.Contains"/>).</summary>
    public Dataset Take(Shard shard) => shard.Count == 1 ? this
        : new Dataset($"{Description}, shard {shard}", [.. Photos.Where(p => shard.Contains(p.Key))], OtherFiles);

    /// <summary>
    /// Output subfolders mirroring the photos' folders, and stems unique within each: the file name without its
    /// extension, with the extension ("dog-png") when two photos of a folder share a stem, then numbered.
    /// </summary>
    private static DatasetPhoto[] Name(IEnumerable<(string Path, string Key)> photos)
    {
        var list = photos.ToList();
        var named = new DatasetPhoto[list.Count];
        foreach (IGrouping<string, int> folder in Enumerable.Range(0, list.Count).GroupBy(i => FolderOf(list[i].Key)))
        {
            int[] members = [.. folder];
            IReadOnlyList<PhotoSource> sources = PhotoBatch.UniqueSources([.. members.Select(i => list[i].Key)]);
            for (int j = 0; j < members.Length; j++)
            {
                (string path, string key) = list[members[j]];
                named[members[j]] = new DatasetPhoto(path, key, folder.Key, sources[j].Stem);
            }
        }
        return named;
    }

    /// <summary>
    /// The output subfolder of a key: its folder, relative and with '/', or "" for a photo at the top; keys that leave
    /// the folder (an absolute path or ".." in a list) get their outputs at the top.
    /// </summary>
    private static string FolderOf(string key)
    {
        string folder = Path.GetDirectoryName(key.Replace('\\', '/'))?.Replace('\\', '/') ?? "";
        return Path.IsPathRooted(key) || folder.Split('/').Any(part => part is ".." or ".") ? "" : folder;
    }
}

/// <summary>A photo of a <see cref="Dataset"/>.</summary>
/// <param name="Path">The file to read.</param>
/// <param name="Key">What the manifest calls it: its path relative to the dataset's folder, or the list's line.</param>
/// <param name="Folder">Its outputs' subfolder, relative to the output folder ("" for the top).</param>
/// <param name="Stem">The prefix of its output files, unique within <paramref name="Folder"/>.</param>
public sealed record DatasetPhoto(string Path, string Key, string Folder, string Stem);
