namespace GradCamSharp.Pipeline;

/// <summary>
/// Files written to a hidden staging folder inside the output folder and moved into place only when the whole job
/// succeeded (<see cref="Publish"/>); disposing without publishing removes the staging folder, so a failure leaves
/// nothing half-written.
/// </summary>
public sealed class StagedOutput : IDisposable
{
    private const string Prefix = ".gradcam-staging-";
    private readonly List<string> _files = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);

    private StagedOutput(string outputDirectory, string folder)
    {
        OutputDirectory = outputDirectory;
        Folder = folder;
    }

    /// <summary>Where the files go.</summary>
    public string OutputDirectory { get; }

    /// <summary>The staging folder.</summary>
    public string Folder { get; }

    /// <summary>The files staged so far, relative to the output folder, in order.</summary>
    public IReadOnlyList<string> Files => _files;

    /// <summary>Creates the output folder if needed and a staging folder inside it.</summary>
    /// <exception cref="OutputException">The folder cannot be created or written.</exception>
    public static StagedOutput Begin(string outputDirectory)
    {
        ArgumentException.ThrowIfNullOrEmpty(outputDirectory);
        try
        {
            Directory.CreateDirectory(outputDirectory);
            string folder = Path.Combine(outputDirectory, $"{Prefix}{Environment.ProcessId}-{Guid.NewGuid():N}");
            Directory.CreateDirectory(folder);
            return new StagedOutput(outputDirectory, folder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{outputDirectory}': {exception.Message}",
                exception);
        }
    }

    /// <summary>
    /// Reserves <paramref name="file"/> (a name relative to the output folder) and returns its staging path.
    /// </summary>
    /// <exception cref="InvalidOperationException">The name was already staged: output names must be
    /// unique.</exception>
    public string Add(string file)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        if (!_names.Add(file)) throw new InvalidOperationException($"'{file}' was staged twice");
        _files.Add(file);
        return Path.Combine(Folder, file);
    }

    /// <summary>Moves every staged file into the output folder, replacing files of the same name.</summary>
    /// <exception cref="OutputException">A file cannot be moved.</exception>
    public void Publish()
    {
        try
        {
            foreach (string file in _files)
                File.Move(Path.Combine(Folder, file), Path.Combine(OutputDirectory, file), overwrite: true);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{OutputDirectory}': {exception.Message}",
                exception);
        }
    }

    /// <summary>Removes the staging folder and whatever is left in it.</summary>
    public void Dispose()
    {
        try
        {
            if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Disposal runs on the way out of a failure: nothing here may replace the error that got us here.
        }
    }
}
