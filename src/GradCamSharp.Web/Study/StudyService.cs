using System.Text.RegularExpressions;
using GradCamSharp.Pipeline;
using GradCamSharp.Catalog;

namespace GradCamSharp.Web.Study;

/// <summary>
/// Runs a human study: gives each participant their next trial (the kinds in turn, the methods balanced within each
/// participant's trials, pictures and hidden classes drawn from a seed of the participant's id), and records answers
/// the moment they arrive.
/// </summary>
internal sealed partial class StudyService : IDisposable
{
    /// <summary>The trust scale, from -2 to 2, as the page shows it.</summary>
    public static IReadOnlyList<string> TrustScale { get; } =
    [
        "left clearly more reasonable", "left slightly more reasonable", "equally reasonable",
        "right slightly more reasonable", "right clearly more reasonable",
    ];

    private readonly ExplainService _explainer;
    private readonly StudySource _source;

    /// <summary>
    /// One participant's trials are issued one at a time (the next is numbered from those already given, so two at
    /// once would both take the same number); participants share these stripes by the hash of their id.
    /// </summary>
    private readonly SemaphoreSlim[] _participantTurns = [.. Enumerable.Range(0, 64).Select(_ => new SemaphoreSlim(1))];

    /// <summary>Opens the study's source and database.</summary>
    /// <exception cref="UsageException">Bad options or source.</exception>
    /// <exception cref="UnreadableInputException">A database that is not a study's.</exception>
    public StudyService(StudyOptions options, ExplainService explainer)
    {
        ArgumentNullException.ThrowIfNull(options);
        Options = options.Validated();
        _explainer = explainer;
        _source = StudySource.Open(options);
        Database = StudyDatabase.Open(options.DatabasePath);
    }

    /// <summary>The study.</summary>
    public StudyOptions Options { get; }

    /// <summary>Where trials and answers are kept.</summary>
    public StudyDatabase Database { get; }

    /// <summary>Gives <paramref name="participant"/> their next trial and stores it.</summary>
    /// <exception cref="UsageException">A participant id that is not an anonymous token.</exception>
    public async Task<TrialView> NextTrialAsync(string participant, CancellationToken cancellation)
    {
        CheckParticipant(participant);
        SemaphoreSlim turn = _participantTurns[StableSeed(participant, 0) % _participantTurns.Length];
        await turn.WaitAsync(cancellation);
        try
        {
            return await IssueTrialAsync(participant, cancellation);
        }
        finally
        {
            turn.Release();
        }
    }

    private async Task<TrialView> IssueTrialAsync(string participant, CancellationToken cancellation)
    {
        int sequence = Database.TrialsGiven(Options.Name, participant);
        var random = new Random(StableSeed(participant, sequence));
        string kind = Options.Kinds[sequence % Options.Kinds.Count];
        // Each participant sees the methods in turn (from a starting point of their own), so that every participant
        // contributes to every method and no method is seen only early or only late.
        int round = sequence / Options.Kinds.Count;
        string method = Options.Methods[(round + StableSeed(participant, -1) % Options.Methods.Count)
            % Options.Methods.Count];
        using StudyItem item = _source.Get(random.Next(_source.Count));
        return kind == StudyKinds.Discrimination
            ? await DiscriminationTrial(participant, sequence, method, item, random, cancellation)
            : await TrustTrial(participant, sequence, method, item, random, cancellation);
    }

    private async Task<TrialView> DiscriminationTrial(string participant, int sequence, string method,
        StudyItem item, Random random, CancellationToken cancellation)
    {
        (IReadOnlyList<string> classes, string truth, string map) = await _explainer.WithClassifierAsync(
            Options.Models[0], (model, token) =>
            {
                IReadOnlyList<string> labels = item.Labels.Count >= 2 ? item.Labels : TwoClasses(model, item);
                string hidden = labels[random.Next(2)];
                return (labels, hidden, Map(model, item, method, hidden, token));
            }, cancellation);
        string[] shown = random.Next(2) == 0 ? [classes[0], classes[1]] : [classes[1], classes[0]];
        TrialRecord trial = Database.Add(Options.Name, new TrialRecord(0, participant, sequence,
            StudyKinds.Discrimination, method, item.Name, truth, shown, null, null, false));
        return new TrialView(trial.Id, trial.Kind, sequence + 1,
            "Which of these two objects does the highlighted evidence belong to?", [map], shown, null);
    }

    private async Task<TrialView> TrustTrial(string participant, int sequence, string method, StudyItem item,
        Random random, CancellationToken cancellation)
    {
        string modelA = Options.Models[0], modelB = Options.Models[1];
        (string label, string mapA) = await _explainer.WithClassifierAsync(modelA, (model, token) =>
        {
            string shownClass = item.Labels.Count > 0 ? item.Labels[random.Next(item.Labels.Count)]
                : TwoClasses(model, item)[0];
            return (shownClass, Map(model, item, method, shownClass, token));
        }, cancellation);
        string mapB = await _explainer.WithClassifierAsync(modelB,
            (model, token) => Map(model, item, method, label, token), cancellation);
        bool aOnLeft = random.Next(2) == 0;
        TrialRecord trial = Database.Add(Options.Name, new TrialRecord(0, participant, sequence, StudyKinds.Trust,
            method, item.Name, label, [], modelA, modelB, aOnLeft));
        return new TrialView(trial.Id, trial.Kind, sequence + 1,
            $"Both maps explain why a model sees \"{label}\". Which model's evidence is more reasonable?",
            aOnLeft ? [mapA, mapB] : [mapB, mapA], TrustScale, label);
    }

    /// <summary>Records an answer, committed before this returns.</summary>
    /// <returns>The participant's number of answered trials in this study.</returns>
    /// <exception cref="UsageException">An unknown trial, a choice that was not offered, a rating off the
    /// scale.</exception>
    /// <exception cref="InvalidOperationException">The trial was already answered.</exception>
    public int Answer(TrialAnswer answer)
    {
        ArgumentNullException.ThrowIfNull(answer);
        CheckParticipant(answer.Participant);
        TrialRecord trial = Database.Find(Options.Name, answer.Participant, answer.Trial)
            ?? throw new UsageException($"trial {answer.Trial} was not given to this participant");
        bool stored;
        if (trial.Kind == StudyKinds.Discrimination)
        {
            string choice = answer.Choice ?? throw new UsageException("a discrimination trial needs a 'choice'");
            if (choice != StudyDatabase.CannotTell && !trial.Options.Contains(choice))
            {
                throw new UsageException($"'{choice}' was not offered; the choices were " +
                    $"{string.Join(", ", trial.Options)} or {StudyDatabase.CannotTell}");
            }
            stored = Database.Answer(trial.Id, choice, null, choice == trial.Truth);
        }
        else
        {
            if (answer.Prefer is not int prefer || prefer is < -2 or > 2)
                throw new UsageException("a trust trial needs 'prefer' from -2 (left) to 2 (right)");
            // Stored in model A's favour, whichever side it was shown on.
            stored = Database.Answer(trial.Id, null, trial.AOnLeft ? -prefer : prefer, null);
        }
        if (!stored) throw new InvalidOperationException($"trial {trial.Id} was already answered");
        return Database.Answers(Options.Name).Count(a => a.Participant == answer.Participant);
    }

    /// <summary>The results so far.</summary>
    public StudyResults Results() => StudyResults.Of(Database.Answers(Options.Name), Options.Name);

    private static string[] TwoClasses(LoadedModel model, StudyItem item) =>
        ClassRanking.Rank(model, item.Image, 2).Select(c => c.Label ?? c.Index.ToString(
            System.Globalization.CultureInfo.InvariantCulture)).ToArray();

    private string Map(LoadedModel model, StudyItem item, string method, string label,
        CancellationToken cancellation)
    {
        var settings = new ExplanationSettings { Methods = [method], Classes = [label] };
        IReadOnlyList<RenderedTarget> targets =
            new PhotoExplainer(model, settings, cancellation: cancellation).Explain(item.Image, item.Name);
        try
        {
            return _explainer.Png(targets[0].Maps[0].Picture);
        }
        finally
        {
            foreach (RenderedTarget target in targets) target.Dispose();
        }
    }

    private static void CheckParticipant(string participant)
    {
        if (participant is null || !ParticipantId().IsMatch(participant))
            throw new UsageException("a participant id is 8 to 64 letters, digits or dashes (no personal data)");
    }

    /// <summary>
    /// A seed from the participant, the trial and the study's seed that is the same in every process.
    /// </summary>
    private int StableSeed(string participant, int sequence)
    {
        // FNV-1a: string.GetHashCode is randomised per process, and draws must survive a restart.
        uint hash = 2166136261;
        foreach (char c in $"{Options.Seed}/{participant}/{sequence}") hash = (hash ^ c) * 16777619;
        return (int)(hash & 0x7FFFFFFF);
    }

    [GeneratedRegex("^[A-Za-z0-9-]{8,64}$")]
    private static partial Regex ParticipantId();

    /// <inheritdoc />
    public void Dispose()
    {
        _source.Dispose();
        foreach (SemaphoreSlim turn in _participantTurns) turn.Dispose();
    }
}
