using System.Globalization;
using GradCamSharp.Onnx.Proto;
using static GradCamSharp.PrintableText;
using static TorchSharp.torch;

namespace GradCamSharp.Onnx;

/// <summary>
/// The external data of one model's tensors (ONNX's <c>external_data</c>: location, offset, length), read as untrusted
/// input: the file must lie inside the model's own folder, reached without <c>..</c>, an absolute path or a symbolic
/// link that leaves the folder, and be a regular file; its offset and length must lie inside the file and match the
/// tensor's declared size; and the model may not read more bytes in all than its data files hold (tensors that
/// share bytes cannot multiply a small file). All of it is checked before a byte is allocated or a file opened, so a
/// model cannot read another file of the machine, pull a gigabyte from <c>/dev/zero</c> or hang on a FIFO.
/// </summary>
internal sealed class ExternalData
{
    /// <summary>Symbolic links followed at most while resolving one path (Linux's own limit is 40).</summary>
    private const int MaxLinks = 40;

    private readonly string? _folder;
    private readonly Dictionary<string, long> _fileSizes = new(StringComparer.Ordinal);
    private long _bytesRead;

    /// <summary>The external data of a model in <paramref name="folder"/>; null for a model held in memory, which
    /// may name no file.</summary>
    public ExternalData(string? folder)
    {
        _folder = folder is null ? null : RealPath(folder);
    }

    /// <summary>The model's folder, symbolic links resolved, or null.</summary>
    public string? Folder => _folder;

    /// <summary>
    /// A new tensor of <paramref name="shape"/> and <paramref name="type"/> holding <paramref name="proto"/>'s
    /// external data.
    /// </summary>
    /// <param name="proto">The tensor that names its data.</param>
    /// <param name="shape">Its declared shape.</param>
    /// <param name="type">Its element type.</param>
    /// <param name="byteCount">The tensor's declared size in bytes.</param>
    /// <exception cref="OnnxImportException">Any rule above broken, or the file unreadable.</exception>
    public Tensor Read(TensorProto proto, long[] shape, ScalarType type, long byteCount)
    {
        string path = Locate(proto, out long offset, out long? length);
        if (length is long declared && declared != byteCount)
            throw Refused(proto, $"names {declared} bytes of external data, but its shape and type take {byteCount}");
        long size = RegularFileSize(proto, path);
        if (offset > size || byteCount > size - offset)
        {
            throw Refused(proto, $"reads bytes {offset} to {offset + byteCount} of '{Shown(path)}', which holds " +
                $"{size}");
        }
        _fileSizes[path] = size;
        long budget = _fileSizes.Values.Sum();
        if (byteCount > budget - _bytesRead)
        {
            throw Refused(proto, $"would make the model read {_bytesRead + byteCount} bytes of external data from " +
                $"files of {budget} bytes in all (tensors repeating the same bytes)");
        }
        _bytesRead += byteCount;
        Tensor result = empty(shape, type);
        if (byteCount == 0) return result;
        try
        {
            ReadInto(proto, path, offset, result.bytes);
            return result;
        }
        catch
        {
            result.Dispose();
            throw;
        }
    }

    private static void ReadInto(TensorProto proto, string path, long offset, Span<byte> destination)
    {
        try
        {
            using Microsoft.Win32.SafeHandles.SafeFileHandle handle = File.OpenHandle(path, FileMode.Open,
                FileAccess.Read, FileShare.Read);
            int done = 0;
            while (done < destination.Length)
            {
                int read = RandomAccess.Read(handle, destination[done..], offset + done);
                if (read == 0) throw Refused(proto, $"'{Shown(path)}' ended before {destination.Length} bytes");
                done += read;
            }
        }
        catch (Exception exception) when (exception is IOException and not OnnxImportException
            or UnauthorizedAccessException)
        {
            throw Refused(proto, $"cannot read '{Shown(path)}': {exception.Message}");
        }
    }

    /// <summary>The checked full path of the data, and its offset and declared length.</summary>
    private string Locate(TensorProto proto, out long offset, out long? length)
    {
        string? location = null;
        offset = 0;
        length = null;
        foreach (StringStringEntryProto entry in proto.ExternalData)
        {
            switch (entry.Key)
            {
                case "location":
                    location = entry.Value;
                    break;
                case "offset":
                    offset = Count(proto, entry);
                    break;
                case "length":
                    length = Count(proto, entry);
                    break;
            }
        }
        if (string.IsNullOrEmpty(location)) throw Refused(proto, "is external but names no location");
        if (_folder is null)
            throw Refused(proto, "names external data, which a model read from memory has no folder for");
        if (location.Contains('\0', StringComparison.Ordinal) || Path.IsPathRooted(location)
            || location.StartsWith('\\') || location.Contains(':', StringComparison.Ordinal))
            throw Refused(proto, $"names external data at '{Printable(location)}': only a path inside the model's " +
                "folder is read");
        string[] segments = Segments(location.Replace('\\', '/'));
        if (segments.Any(s => s == ".."))
            throw Refused(proto, $"names external data at '{Printable(location)}', outside the model's folder");

        string path = RealPath(Path.Combine(_folder, Path.Combine(segments)));
        string inside = _folder.EndsWith(Path.DirectorySeparatorChar) ? _folder : _folder + Path.DirectorySeparatorChar;
        if (!path.StartsWith(inside, StringComparison.Ordinal))
        {
            throw Refused(proto, $"names external data at '{Printable(location)}', which a symbolic link takes " +
                "outside the model's folder");
        }
        return path;
    }

    /// <summary>The size of the regular file at <paramref name="path"/> (a resolved path).</summary>
    private static long RegularFileSize(TensorProto proto, string path)
    {
        if (Directory.Exists(path)) throw Refused(proto, $"names external data '{Shown(path)}', a folder");
        var file = new FileInfo(path);
        if (!file.Exists) throw Refused(proto, $"names external data '{Shown(path)}', which is missing");
        // .NET reports devices, FIFOs and sockets as files of size 0: no declared byte fits in them, so the caller's
        // bounds check refuses them and they are never opened (opening a FIFO blocks until something writes to it).
        return file.Length;
    }

    /// <summary>
    /// <paramref name="path"/> with every symbolic link along it resolved and every <c>.</c> and <c>..</c> taken
    /// the way the operating system takes them (<c>..</c> after a link leaves the link's target); components that do
    /// not exist are kept as they are.
    /// </summary>
    private static string RealPath(string path)
    {
        path = Path.Combine(Environment.CurrentDirectory, path);
        string root = Path.GetPathRoot(path) ?? "/";
        var pending = new LinkedList<string>(Segments(path[root.Length..]));
        string current = root;
        int links = 0;
        while (pending.First is LinkedListNode<string> first)
        {
            string segment = first.Value;
            pending.RemoveFirst();
            if (segment is "" or ".") continue;
            if (segment == "..")
            {
                current = Path.GetDirectoryName(current) ?? root;
                continue;
            }
            string next = Path.Combine(current, segment);
            FileSystemInfo info = Directory.Exists(next) ? new DirectoryInfo(next) : new FileInfo(next);
            if (info.LinkTarget is not string target)
            {
                current = next;
                continue;
            }
            if (++links > MaxLinks) throw new OnnxImportException($"too many symbolic links along '{Printable(path)}'");
            // The target replaces the link: relative to the link's folder, or from the root when absolute.
            if (Path.IsPathRooted(target)) current = Path.GetPathRoot(target) ?? root;
            string[] targetSegments = Segments(target[(Path.GetPathRoot(target)?.Length ?? 0)..]);
            for (int k = targetSegments.Length - 1; k >= 0; k--) pending.AddFirst(targetSegments[k]);
        }
        return current;
    }

    private static string[] Segments(string path) => path.Split(['/', Path.DirectorySeparatorChar],
        StringSplitOptions.RemoveEmptyEntries);

    private static long Count(TensorProto proto, StringStringEntryProto entry) =>
        long.TryParse(entry.Value, NumberStyles.None, CultureInfo.InvariantCulture, out long value)
            ? value : throw Refused(proto, $"has external data {entry.Key} '{Printable(entry.Value)}', not a " +
                "non-negative whole number");

    private static string Shown(string path) => Printable(Path.GetFileName(path));

    private static OnnxImportException Refused(TensorProto proto, string problem) =>
        new($"tensor '{Printable(proto.Name)}' {problem}");
}
