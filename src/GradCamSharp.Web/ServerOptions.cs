using System.Net;
using System.Net.Sockets;
using GradCamSharp.Web.Study;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web;

/// <summary>
/// How <c>gradcam serve</c> runs: where it listens, which model it explains, its limits, and its study.
/// </summary>
public sealed record ServerOptions
{
    /// <summary>
    /// The address to listen on: the loopback interface unless another is asked for. An IP address (<c>0.0.0.0</c> or
    /// <c>::</c> for every interface, an explicit choice), <c>localhost</c>, or a host name, which listens on the
    /// addresses it resolves to (see <see cref="ListenAddresses"/>).
    /// </summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The port; 0 picks a free one.</summary>
    public int Port { get; init; } = 5000;

    /// <summary>The model to explain: a name from <see cref="ModelCatalog"/> or an ONNX file.</summary>
    public string Model { get; init; } = KnownModels.Default;

    /// <summary>How the model is loaded (labels, preprocessing, architecture).</summary>
    public ModelLoadOptions ModelOptions { get; init; } = new();

    /// <summary>Upload, pixel, queue and time limits.</summary>
    public WebLimits Limits { get; init; } = new();

    /// <summary>The human study to run at <c>/study</c>, or null for none.</summary>
    public StudyOptions? Study { get; init; }

    /// <summary>The URL the service answers at once it listens on <paramref name="port"/>.</summary>
    public string UrlFor(int port) =>
        $"http://{(Host.Contains(':', StringComparison.Ordinal) ? $"[{Host}]" : Host)}:{port}";

    /// <summary>
    /// The addresses <see cref="Host"/> means: itself when it is an IP address, both loopback addresses for
    /// <c>localhost</c>, and a host name's addresses as the resolver gives them (only the first when the port is
    /// chosen by the system, so that one port serves). Nothing is ever widened to every interface unless
    /// <c>0.0.0.0</c> or <c>::</c> is given.
    /// </summary>
    /// <exception cref="UsageException">Not an address or a host name, or a name that resolves to nothing.</exception>
    public IReadOnlyList<IPAddress> ListenAddresses()
    {
        string host = Host.Trim();
        if (host.StartsWith('[') && host.EndsWith(']')) host = host[1..^1];
        if (IPAddress.TryParse(host, out IPAddress? address) && Uri.CheckHostName(host) is UriHostNameType.IPv4
            or UriHostNameType.IPv6)
            return [address];
        if (host.Length == 0 || Uri.CheckHostName(host) != UriHostNameType.Dns)
        {
            throw new UsageException($"--host '{PrintableText.Printable(Host)}' is neither an IP address nor a host " +
                "name (e.g. 127.0.0.1, ::1, localhost, 0.0.0.0 for every interface)");
        }
        if (string.Equals(host, "localhost", StringComparison.OrdinalIgnoreCase))
            return Port == 0 ? [IPAddress.Loopback] : [IPAddress.Loopback, IPAddress.IPv6Loopback];
        IPAddress[] resolved;
        try
        {
            resolved = Dns.GetHostAddresses(host).Where(a => a.AddressFamily is AddressFamily.InterNetwork
                or AddressFamily.InterNetworkV6).Distinct().ToArray();
        }
        catch (SocketException exception)
        {
            throw new UsageException($"--host '{PrintableText.Printable(Host)}' does not resolve: {exception.Message}");
        }
        if (resolved.Length == 0)
            throw new UsageException($"--host '{PrintableText.Printable(Host)}' resolves to no address");
        return Port == 0 ? resolved[..1] : resolved;
    }
}
