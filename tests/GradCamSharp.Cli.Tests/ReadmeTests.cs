using System.Text.RegularExpressions;
using GradCamSharp.Cli.Commands;

namespace GradCamSharp.Cli.Tests;

/// <summary>The README is a front page whose listings come from the registries, and its links lead somewhere.</summary>
public sealed partial class ReadmeTests
{
    private static string Readme => File.ReadAllText(Path.Combine(SharedFixtures.RepositoryRoot, "README.md"));

    private static string Between(string text, string name)
    {
        string begin = $"<!-- {name}:begin -->\n", end = $"<!-- {name}:end -->";
        int start = text.IndexOf(begin, StringComparison.Ordinal);
        Assert.True(start >= 0, $"the README has no {name} table");
        start += begin.Length;
        return text[start..text.IndexOf(end, start, StringComparison.Ordinal)];
    }

    [Fact]
    public void TheMethodAndModelTables_AreTheRegistries()
    {
        Assert.Equal(MethodsCommand.MarkdownTable(), Between(Readme, "methods"));
        Assert.Equal(ModelsCommand.MarkdownTable(), Between(Readme, "models"));
    }

    [Fact]
    public void TheReadme_IsAFrontPage()
    {
        int lines = Readme.Split('\n').Length;
        Assert.True(lines <= 200, $"the README has {lines} lines");
        Assert.StartsWith("./gradcam explain", Readme.Split("```bash\n")[1]);
    }

    [Fact]
    public void EveryLocalLinkAndPicture_OfTheReadmeAndTheDocs_Exists()
    {
        string root = SharedFixtures.RepositoryRoot;
        string[] pages = [Path.Combine(root, "README.md"), .. Directory.GetFiles(Path.Combine(root, "docs"), "*.md")];
        Assert.True(pages.Length > 10);
        foreach (string page in pages)
        {
            foreach (Match link in LocalLink().Matches(File.ReadAllText(page)))
            {
                string target = link.Groups[1].Value.Split('#')[0];
                string resolved = Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, target));
                Assert.True(File.Exists(resolved) || Directory.Exists(resolved),
                    $"{Path.GetFileName(page)} links to {link.Groups[1].Value}, which does not exist");
            }
        }
    }

    [GeneratedRegex(@"\]\((?!https?:|#|mailto:)([^)\s]+)\)")]
    private static partial Regex LocalLink();
}
