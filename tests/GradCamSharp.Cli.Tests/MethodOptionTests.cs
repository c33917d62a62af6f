using System.CommandLine;

namespace GradCamSharp.Cli.Tests;

/// <summary>Every command that takes methods spells the option the same way and reads both forms alike.</summary>
public sealed class MethodOptionTests
{
    public static TheoryData<string> CommandsWithMethods()
    {
        var names = new TheoryData<string>();
        foreach (Command command in GradCamCli.Build().Subcommands)
            if (command.Options.Any(o => o.Name == "--method")) names.Add(command.Name);
        return names;
    }

    [Fact]
    public void TheCommandsThatTakeMethods_AreTheOnesExpected()
    {
        Assert.Equal(["bench", "caption", "detect", "evaluate", "explain", "read", "vqa"],
            GradCamCli.Build().Subcommands.Where(c => c.Options.Any(o => o.Name == "--method")).Select(c => c.Name)
                .Order());
    }

    [Theory]
    [MemberData(nameof(CommandsWithMethods))]
    public void Method_IsRepeatableAndCommaSeparated_WithMethodsItsAlias(string name)
    {
        RootCommand root = GradCamCli.Build();
        Command command = root.Subcommands.Single(c => c.Name == name);
        var option = (Option<string[]>)command.Options.Single(o => o.Name == "--method");
        Assert.Contains("--methods", option.Aliases);

        ParseResult result = root.Parse([name, "--method", "gradcam, hirescam", "--methods", "scorecam", "x.jpg"]);

        Assert.Equal(["gradcam", "hirescam", "scorecam"], result.GetValue(option)!);
        Assert.DoesNotContain(result.Errors, e => e.Message.Contains("method", StringComparison.Ordinal));
    }
}
