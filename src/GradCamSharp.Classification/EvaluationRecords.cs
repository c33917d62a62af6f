using System.Text.Json;
using GradCamSharp.Pipeline;
using GradCamSharp.Pipeline.Datasets;

namespace GradCamSharp.Classification;

/// <summary>
/// An evaluation streamed into a folder: each picture's results appended to <see cref="FileName"/> as soon as they
/// are computed (see <see cref="EvaluatedPicture"/>), so that a killed run resumes, shards run on other machines, and
/// the summary, computed from every record in the order of the pictures, equals that of one run in one go: the same
/// means and, the bootstrap being seeded and the order the same, the same intervals.
/// </summary>
public static class EvaluationRecords
{
    /// <summary>The records: one picture a line.</summary>
    public const string FileName = "records.jsonl";

    /// <summary>The summary of every record, written beside them.</summary>
    public const string SummaryName = "evaluation.json";

    /// <summary>The report drawn from the summary.</summary>
    public const string ReportName = "report.html";

    private static readonly JsonSerializerOptions ReadJson = new(JsonLines.LineJson);

    /// <summary>The key of a picture in records: its path relative to the images folder, with '/'.</summary>
    public static string KeyOf(EvaluationCase item, string imagesFolder)
    {
        ArgumentNullException.ThrowIfNull(item);
        return item.Picture is not null ? item.Image
            : Path.GetRelativePath(imagesFolder, item.Image).Replace('\\', '/');
    }

    /// <summary>The records of <paramref name="folder"/> (whole lines only), checked to share one settings hash.
    /// </summary>
    /// <exception cref="UsageException">Records of other settings than <paramref name="settings"/>.</exception>
    /// <exception cref="UnreadableInputException">A line is not a record.</exception>
    public static IReadOnlyList<EvaluatedPicture> Read(string folder, string? settings = null)
    {
        var records = new List<EvaluatedPicture>();
        foreach (JsonElement line in JsonLines.Read(Path.Combine(folder, FileName)))
        {
            EvaluatedPicture record = line.Deserialize<EvaluatedPicture>(ReadJson)
                ?? throw new UnreadableInputException($"a line of {folder}/{FileName} is empty");
            settings ??= record.Settings;
            if (record.Settings != settings)
            {
                throw new UsageException($"'{folder}' holds evaluation records made with other settings (hash " +
                    $"{record.Settings ?? "none"}, expected {settings}): use the same model and options, or another " +
                    "folder");
            }
            records.Add(record);
        }
        return records;
    }

    /// <summary>
    /// The summary of <paramref name="records"/>, in the order of their pictures, and their thumbnails; written as
    /// <see cref="SummaryName"/> and <see cref="ReportName"/> into <paramref name="folder"/> (each whole, or not at
    /// all).
    /// </summary>
    public static EvaluationSummary Summarise(IEnumerable<EvaluatedPicture> records, string folder, string model,
        string source, IReadOnlyDictionary<string, int> unmatched, EvaluationOptions options)
    {
        ArgumentNullException.ThrowIfNull(records);
        EvaluatedPicture[] ordered = [.. records.OrderBy(r => r.Index)];
        EvaluationSummary summary = EvaluationSummary.Of(model, source, [.. ordered.SelectMany(r => r.Results)],
            unmatched, options);
        string json = Path.Combine(folder, SummaryName), report = Path.Combine(folder, ReportName);
        File.WriteAllText(json + ".gradcam-partial", JsonSerializer.Serialize(summary, SummaryJson));
        EvaluationReport.Write(summary, [.. ordered.SelectMany(r => r.Thumbnails)], report + ".gradcam-partial",
            [.. ordered.SelectMany(r => r.Failures).OrderBy(f => f.OtherObject).Take(options.FailureGallery)]);
        File.Move(json + ".gradcam-partial", json, overwrite: true);
        File.Move(report + ".gradcam-partial", report, overwrite: true);
        return summary;
    }

    /// <summary>
    /// Joins the folders of an evaluation's shards into <paramref name="outputDirectory"/>: every record, in the
    /// pictures' order, and the summary and report of all of them. Shards of other settings or sharing a picture are
    /// refused.
    /// </summary>
    /// <exception cref="UsageException">Different settings, overlapping shards, or no shards.</exception>
    /// <exception cref="UnreadableInputException">A shard without records or summary.</exception>
    /// <exception cref="OutputException">The output folder is not empty or cannot be written.</exception>
    public static EvaluationSummary Merge(IReadOnlyList<string> shards, string outputDirectory)
    {
        ArgumentNullException.ThrowIfNull(shards);
        if (shards.Count == 0) throw new UsageException("no shard folders given");
        string? settings = null;
        var records = new List<EvaluatedPicture>();
        var owner = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (string shard in shards)
        {
            if (!File.Exists(Path.Combine(shard, SummaryName)))
                throw new UnreadableInputException($"shard folder '{shard}' holds no {SummaryName}");
            IReadOnlyList<EvaluatedPicture> read = Read(shard, settings);
            settings ??= read.Count > 0 ? read[0].Settings : null;
            foreach (EvaluatedPicture record in read)
            {
                if (!owner.TryAdd(record.Image, shard))
                {
                    throw new UsageException($"picture '{record.Image}' is in both '{owner[record.Image]}' and " +
                        $"'{shard}': the shards overlap");
                }
            }
            records.AddRange(read);
        }
        EvaluationSummary first = JsonSerializer.Deserialize<EvaluationSummary>(
            File.ReadAllText(Path.Combine(shards[0], SummaryName)), ReadJson)
            ?? throw new UnreadableInputException($"'{shards[0]}/{SummaryName}' is empty");
        try
        {
            using FileStream folderLock = StagedOutput.CreateLocked(outputDirectory, empty: true);
            using (JsonLines lines = JsonLines.Open(Path.Combine(outputDirectory, FileName)))
                lines.Append(records.OrderBy(r => r.Index));
            return Summarise(records, outputDirectory, first.Model, first.Source, first.Unmatched, first.Options);
        }
        catch (Exception exception) when (exception is IOException and not OutputException
            or UnauthorizedAccessException)
        {
            throw new OutputException($"cannot write to output folder '{outputDirectory}': {exception.Message}",
                exception);
        }
    }

    /// <summary>How the summary is written: indented, as people read it.</summary>
    public static JsonSerializerOptions SummaryJson { get; } = new(ExplainPipeline.ManifestJson);
}
