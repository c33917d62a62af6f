using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;
using static GradCamSharp.PrintableText;

namespace GradCamSharp;

/// <summary>
/// Reads a whole file that anyone may have named (a model, a JSON file), refusing at once what is not an ordinary
/// file of a sensible size: a folder, a FIFO (reading one blocks until something writes), a device such as
/// <c>/dev/zero</c> (it never ends), an empty file, or one larger than the caller's limit. Every refusal is one
/// <see cref="UnreadableInputException"/>.
/// </summary>
public static class UntrustedFile
{
    private const int ReadOnly = 0, NonBlocking = 0x800, CloseOnExec = 0x80000;

    /// <summary>The bytes of <paramref name="path"/>.</summary>
    /// <param name="path">The file.</param>
    /// <param name="what">What the file is, for messages: "model file", "head file".</param>
    /// <param name="maxBytes">The largest file accepted.</param>
    /// <exception cref="UnreadableInputException">Missing, not a regular file, empty, too large or unreadable.
    /// </exception>
    public static byte[] ReadAllBytes(string path, string what, long maxBytes = int.MaxValue) =>
        ReadAllBytesAsync(path, what, maxBytes, synchronous: true, CancellationToken.None).GetAwaiter().GetResult();

    /// <summary><see cref="ReadAllBytes"/>, reading asynchronously (the same refusals, made before any read).
    /// </summary>
    /// <exception cref="UnreadableInputException">Missing, not a regular file, empty, too large or unreadable.
    /// </exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<byte[]> ReadAllBytesAsync(string path, string what, long maxBytes = int.MaxValue,
        CancellationToken cancellationToken = default) =>
        ReadAllBytesAsync(path, what, maxBytes, synchronous: false, cancellationToken);

    private static async Task<byte[]> ReadAllBytesAsync(string path, string what, long maxBytes, bool synchronous,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentException.ThrowIfNullOrEmpty(what);
        string shown = Printable(path);
        if (Directory.Exists(path)) throw new UnreadableInputException($"{what} '{shown}' is a folder");
        if (!File.Exists(path)) throw new UnreadableInputException($"{what} '{shown}' not found");
        try
        {
            using SafeFileHandle handle = Open(path);
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            if (!stream.CanSeek)
                throw new UnreadableInputException($"{what} '{shown}' is not a regular file (a pipe or a socket)");
            long length = stream.Length;
            if (length == 0)
                throw new UnreadableInputException($"{what} '{shown}' is empty (or a device, which is not read)");
            if (length > maxBytes)
            {
                throw new UnreadableInputException($"{what} '{shown}' is {length >> 20} MB, over the limit of " +
                    $"{maxBytes >> 20} MB");
            }
            var bytes = new byte[length];
            if (synchronous) stream.ReadExactly(bytes);
            else await stream.ReadExactlyAsync(bytes, cancellationToken).ConfigureAwait(false);
            return bytes;
        }
        catch (Exception exception) when (exception is IOException and not UnreadableInputException
            or UnauthorizedAccessException)
        {
            throw new UnreadableInputException($"{what} '{shown}' cannot be read: {exception.Message}", exception);
        }
    }

    /// <summary>
    /// The bytes <paramref name="stream"/> holds from its position to its end (an upload, a blob, an archive entry),
    /// refused as soon as they pass <paramref name="maxBytes"/>; the stream is left open.
    /// </summary>
    /// <param name="stream">What to read.</param>
    /// <param name="what">What it holds, for messages: "ONNX model", "image".</param>
    /// <param name="maxBytes">The most bytes accepted.</param>
    /// <exception cref="UnreadableInputException">Empty, longer than the limit, or unreadable.</exception>
    /// <example>
    /// <code>
    /// using Stream blob = await container.GetBlobClient("model.onnx").OpenReadAsync();
    /// byte[] bytes = UntrustedFile.ReadStream(blob, "ONNX model", 2L &lt;&lt; 30);
    /// </code>
    /// </example>
    public static byte[] ReadStream(Stream stream, string what, long maxBytes)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadStreamAsync(stream, what, maxBytes, synchronous: true, CancellationToken.None)
            .GetAwaiter().GetResult();
    }

    /// <summary><see cref="ReadStream"/>, reading asynchronously.</summary>
    /// <exception cref="UnreadableInputException">Empty, longer than the limit, or unreadable.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static Task<byte[]> ReadStreamAsync(Stream stream, string what, long maxBytes,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(stream);
        return ReadStreamAsync(stream, what, maxBytes, synchronous: false, cancellationToken);
    }

    /// <summary>One loop for both: a synchronous caller gets a completed task, never a blocked thread.</summary>
    private static async Task<byte[]> ReadStreamAsync(Stream stream, string what, long maxBytes, bool synchronous,
        CancellationToken cancellationToken)
    {
        ArgumentException.ThrowIfNullOrEmpty(what);
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        try
        {
            for (int read; (read = synchronous ? stream.Read(chunk)
                : await stream.ReadAsync(chunk, cancellationToken).ConfigureAwait(false)) > 0;)
            {
                if (buffer.Length + read > maxBytes)
                    throw new UnreadableInputException($"the {what} is longer than {maxBytes >> 20} MB, the limit");
                buffer.Write(chunk, 0, read);
            }
        }
        catch (Exception exception) when (exception is IOException and not UnreadableInputException
            or NotSupportedException or ObjectDisposedException)
        {
            throw new UnreadableInputException($"the {what} cannot be read: {exception.Message}", exception);
        }
        if (buffer.Length == 0) throw new UnreadableInputException($"the {what} is empty");
        return buffer.ToArray();
    }

    /// <summary>
    /// The first bytes of <paramref name="path"/> (fewer when it is shorter), or none when it is not an ordinary file
    /// that can be read (a FIFO, a socket, a device, a folder): what tells a photo from other files by its signature,
    /// without hanging on a FIFO in a folder of photos.
    /// </summary>
    public static byte[] ReadHead(string path, int count)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        try
        {
            if (!File.Exists(path)) return [];
            using SafeFileHandle handle = Open(path);
            using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
            if (!stream.CanSeek || stream.Length == 0) return [];
            var head = new byte[Math.Min(count, stream.Length)];
            stream.ReadExactly(head);
            return head;
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>
    /// Opens for reading without blocking on a FIFO (Linux: <c>O_NONBLOCK</c>, which an ordinary file ignores); the
    /// caller refuses what cannot seek.
    /// </summary>
    private static SafeFileHandle Open(string path)
    {
        if (!OperatingSystem.IsLinux()) return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        int descriptor = OpenNative(path, ReadOnly | NonBlocking | CloseOnExec);
        if (descriptor < 0)
        {
            int errno = Marshal.GetLastPInvokeError();
            throw new IOException($"{Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
        }
        return new SafeFileHandle(descriptor, ownsHandle: true);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true, CharSet = CharSet.Ansi, BestFitMapping = false,
        ThrowOnUnmappableChar = true)]
    private static extern int OpenNative([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);
}
