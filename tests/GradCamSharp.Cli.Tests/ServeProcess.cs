using System.Diagnostics;
using System.Text.RegularExpressions;

namespace GradCamSharp.Cli.Tests;

/// <summary>
/// <c>gradcam serve</c> as a user runs it: its own process, listening on a free port of 127.0.0.1, so that a test can
/// load it over real sockets, read its memory, and kill it.
/// </summary>
internal sealed partial class ServeProcess : IDisposable
{
    private readonly Process _process;
    private readonly List<string> _said = [];

    private ServeProcess(Process process, Uri address)
    {
        _process = process;
        Address = address;
    }

    public Uri Address { get; }

    /// <summary>The server's resident memory now, in bytes.</summary>
    public long ResidentBytes
    {
        get
        {
            _process.Refresh();
            return _process.WorkingSet64;
        }
    }

    /// <summary>The highest resident memory the server has had, in bytes (Linux: VmHWM).</summary>
    public long PeakResidentBytes
    {
        get
        {
            string line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith("VmHWM:",
                StringComparison.Ordinal));
            return long.Parse(line["VmHWM:".Length..].Trim().Split(' ')[0],
                System.Globalization.CultureInfo.InvariantCulture) * 1024;
        }
    }

    public HttpClient Client() => new() { BaseAddress = Address, Timeout = TimeSpan.FromMinutes(5) };

    /// <summary>Starts <c>gradcam serve --port 0 ARGS</c> and waits until it says where it listens.</summary>
    public static ServeProcess Start(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false,
        };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "gradcam.dll"));
        foreach (string arg in (string[])["serve", "--port", "0", .. args]) start.ArgumentList.Add(arg);
        Process process = Process.Start(start)!;
        var said = new List<string>();
        while (process.StandardError.ReadLine() is string line)
        {
            said.Add(line);
            if (Listening().Match(line) is { Success: true } match)
            {
                var server = new ServeProcess(process, new Uri(match.Groups[1].Value));
                server._said.AddRange(said);
                // Keep draining its output so that it never blocks on a full pipe.
                _ = Task.Run(() => process.StandardError.ReadToEnd());
                _ = Task.Run(() => process.StandardOutput.ReadToEnd());
                return server;
            }
        }
        process.WaitForExit();
        throw new InvalidOperationException($"gradcam serve exited ({process.ExitCode}): {string.Join('\n', said)}");
    }

    /// <summary>Kills the server at once (SIGKILL): nothing gets to shut down cleanly.</summary>
    public void Kill()
    {
        _process.Kill(entireProcessTree: true);
        _process.WaitForExit();
    }

    [GeneratedRegex(@"^gradcam: serving on (\S+)$")]
    private static partial Regex Listening();

    public void Dispose()
    {
        if (!_process.HasExited) Kill();
        _process.Dispose();
    }
}
