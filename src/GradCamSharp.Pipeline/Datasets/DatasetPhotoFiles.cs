namespace GradCamSharp.Pipeline.Datasets;

/// <summary>
/// One photo's files in a dataset run: written under hidden temporary names in the photo's output subfolder, then
/// renamed into place one by one once all are written, so that a crash leaves no file half-written (a renamed file
/// is whole) and a photo's manifest lines, appended after the renames, name only whole files.
/// </summary>
internal sealed class DatasetPhotoFiles(string outputDirectory, DatasetPhoto photo) : IPhotoOutput
{
    /// <summary>The end of a file not yet renamed into place (hidden: its name starts with a dot).</summary>
    public const string PartialSuffix = ".gradcam-partial";
    private readonly List<(string Temporary, string Final)> _files = [];
    private readonly HashSet<string> _names = new(StringComparer.Ordinal);
    private readonly List<Action> _writes = [];

    public string Add(string file, out string name)
    {
        ArgumentException.ThrowIfNullOrEmpty(file);
        string leaf = file;
        string stem = Path.GetFileNameWithoutExtension(file);
        string extension = Path.GetExtension(file);
        for (int n = 2; !_names.Add(leaf); n++) leaf = $"{stem}-{n}{extension}";
        name = photo.Folder.Length == 0 ? leaf : $"{photo.Folder}/{leaf}";
        string folder = Path.Combine(outputDirectory, photo.Folder);
        Directory.CreateDirectory(folder);
        string temporary = Path.Combine(folder, $".{leaf}{PartialSuffix}");
        _files.Add((temporary, Path.Combine(folder, leaf)));
        return temporary;
    }

    public void WriteBehind(Action write)
    {
        ArgumentNullException.ThrowIfNull(write);
        _writes.Add(write);
    }

    /// <summary>Runs the writes left behind, then renames every file into place.</summary>
    public void Publish()
    {
        RunWrites();
        foreach ((string temporary, string final) in _files) File.Move(temporary, final, overwrite: true);
    }

    /// <summary>
    /// A photo that failed: its writes still run (they own the pictures they write and release them), then its
    /// files are removed.
    /// </summary>
    public void Discard()
    {
        try
        {
            RunWrites();
        }
        finally
        {
            foreach ((string temporary, _) in _files)
            {
                if (File.Exists(temporary)) File.Delete(temporary);
            }
        }
    }

    private void RunWrites()
    {
        foreach (Action write in _writes) write();
        _writes.Clear();
    }
}
