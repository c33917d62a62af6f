using System.CommandLine;
using GradCamSharp.Methods;

namespace GradCamSharp.Cli.Commands;

/// <summary>
/// The one <c>--method</c> option of every command: repeatable and comma-separated alike
/// (<c>--method gradcam --method hirescam</c> = <c>--method gradcam,hirescam</c>), <c>--methods</c> its alias.
/// </summary>
internal static class MethodOption
{
    /// <summary>The option, with <paramref name="defaults"/> and the command's own extra names in its help.</summary>
    public static Option<string[]> Create(string defaults, string extra = "") => new("--method", "--methods")
    {
        Description = $"Repeatable or comma-separated: {KnownMethods.Accepted}{extra}; default {defaults}. " +
            "See 'gradcam methods'",
        CustomParser = CommaSeparated,
    };

    /// <summary>Every token's comma-separated values, in order: how every list of names is read.</summary>
    public static string[] CommaSeparated(System.CommandLine.Parsing.ArgumentResult result) =>
        [.. result.Tokens.SelectMany(token =>
            token.Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))];
}
