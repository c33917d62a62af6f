using System.CommandLine;
using GradCamSharp.Web.Study;

namespace GradCamSharp.Cli.Commands;

/// <summary><c>gradcam study-results</c>: a study database's accuracy per method with 95% intervals.</summary>
internal static class StudyResultsCommand
{
    internal static Command Create()
    {
        var database = new Option<string>("--db") { Description = "The study's SQLite database", Required = true };
        var study = new Option<string?>("--study") { Description = "Only this study (default: every study in it)" };
        var csv = new Option<bool>("--csv") { Description = "Print CSV instead of tables" };
        var command = CommandHelp.Create("study-results", "Summarise a human study's answers", """
            Read the answers a 'gradcam serve --study' run stored and print, per method, the class-discrimination
            accuracy (which class does the map explain?) with its 95% Wilson interval, next to the paper's numbers,
            and the mean trust rating of one model over the other with its 95% interval. --csv prints the same table
            as CSV. The database is only read.

            Examples:
              gradcam study-results --db study-pilot.db
              gradcam study-results --db study-pilot.db --csv > pilot.csv
            """);
        foreach (Option option in new Option[] { database, study, csv }) command.Add(option);
        command.SetAction(result => Run(result.InvocationConfiguration.Output, result.GetValue(database)!,
            result.GetValue(study), result.GetValue(csv)));
        return command;
    }

    /// <summary>Prints the results; returns the exit code.</summary>
    public static int Run(TextWriter output, string database, string? study, bool csv)
    {
        ArgumentNullException.ThrowIfNull(output);
        StudyResults results = StudyResults.Of(StudyDatabase.Open(database, create: false).Answers(study), study);
        output.Write(csv ? results.ToCsv() : results.ToText());
        return ExitCodes.Success;
    }
}
