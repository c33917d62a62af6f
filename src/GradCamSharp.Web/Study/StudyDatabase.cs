using System.Globalization;
using Microsoft.Data.Sqlite;

namespace GradCamSharp.Web.Study;

/// <summary>
/// A study's trials and answers in one SQLite file (schema version <see cref="SchemaVersion"/>, kept in SQLite's
/// <c>user_version</c>). Every write is its own transaction, committed before the call returns, so that a server that
/// stops (or is killed) mid-study loses nothing that was answered.
/// </summary>
public sealed class StudyDatabase
{
    /// <summary>The schema this code writes and reads.</summary>
    public const int SchemaVersion = 1;

    /// <summary>Answer text for "I can't tell" in a discrimination trial.</summary>
    public const string CannotTell = "cannot-tell";

    private const string Schema = """
        CREATE TABLE trials (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            study TEXT NOT NULL,
            participant TEXT NOT NULL,
            sequence INTEGER NOT NULL,
            kind TEXT NOT NULL,
            method TEXT NOT NULL,
            image TEXT NOT NULL,
            truth TEXT NOT NULL,
            options TEXT NOT NULL,
            model_a TEXT,
            model_b TEXT,
            a_on_left INTEGER NOT NULL,
            issued_at TEXT NOT NULL,
            UNIQUE (study, participant, sequence));
        CREATE TABLE answers (
            trial INTEGER PRIMARY KEY REFERENCES trials (id),
            choice TEXT,
            rating INTEGER,
            correct INTEGER,
            answered_at TEXT NOT NULL);
        """;

    /// <summary>SQLite's result codes for a place that cannot be written or opened.</summary>
    private const int SqlitePermission = 3, SqliteReadOnly = 8, SqliteCannotOpen = 14;

    private readonly string _connection;

    private StudyDatabase(string path) =>
        _connection = new SqliteConnectionStringBuilder
        {
            DataSource = path, Mode = SqliteOpenMode.ReadWriteCreate, Pooling = false,
        }.ToString();

    /// <summary>The file.</summary>
    public required string Path { get; init; }

    /// <summary>Opens <paramref name="path"/>, creating it and its schema when missing.</summary>
    /// <exception cref="UnreadableInputException">Not a study database, or one from a newer gradcam.</exception>
    /// <exception cref="Pipeline.OutputException">A place the database cannot be created or written in.</exception>
    public static StudyDatabase Open(string path, bool create = true)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (!create && !File.Exists(path)) throw new UnreadableInputException($"study database '{path}' not found");
        try
        {
            if (System.IO.Path.GetDirectoryName(System.IO.Path.GetFullPath(path)) is string folder)
                Directory.CreateDirectory(folder);
        }
        catch (Exception exception) when (exception is IOException or UnauthorizedAccessException)
        {
            throw new Pipeline.OutputException($"cannot create the study database '{path}': {exception.Message}",
                exception);
        }
        var database = new StudyDatabase(path) { Path = path };
        try
        {
            using SqliteConnection connection = database.Connect();
            long version = (long)Scalar(connection, "PRAGMA user_version")!;
            if (version == 0)
            {
                using SqliteTransaction transaction = connection.BeginTransaction();
                if ((long)Scalar(connection, "SELECT count(*) FROM sqlite_master", transaction)! > 0)
                    throw new UnreadableInputException($"'{path}' is an SQLite database, but not a study's");
                Execute(connection, Schema + $"PRAGMA user_version = {SchemaVersion};", transaction);
                transaction.Commit();
            }
            else if (version != SchemaVersion)
            {
                throw new UnreadableInputException($"study database '{path}' has schema version {version}; this " +
                    $"gradcam reads version {SchemaVersion}");
            }
        }
        catch (SqliteException exception) when (exception.SqliteErrorCode is SqliteReadOnly or SqliteCannotOpen
            or SqlitePermission)
        {
            // The place, not the file's content: a read-only folder or file, or one the server may not open.
            throw new Pipeline.OutputException($"cannot {(create ? "create or write" : "open")} the study database " +
                $"'{path}' ({exception.Message.TrimEnd('.')}): is its folder or the file read-only?", exception);
        }
        catch (SqliteException exception)
        {
            throw new UnreadableInputException($"'{path}' is not a study database: {exception.Message}", exception);
        }
        return database;
    }

    /// <summary>How many trials <paramref name="participant"/> has been given in <paramref name="study"/>.</summary>
    public int TrialsGiven(string study, string participant)
    {
        using SqliteConnection connection = Connect();
        return (int)(long)Scalar(connection, "SELECT count(*) FROM trials WHERE study = $s AND participant = $p", null,
            ("$s", study), ("$p", participant))!;
    }

    /// <summary>Stores a trial as it is shown; returns it with its id.</summary>
    public TrialRecord Add(string study, TrialRecord trial)
    {
        ArgumentNullException.ThrowIfNull(trial);
        using SqliteConnection connection = Connect();
        long id = (long)Scalar(connection, """
            INSERT INTO trials (study, participant, sequence, kind, method, image, truth, options, model_a, model_b,
                a_on_left, issued_at)
            VALUES ($study, $participant, $sequence, $kind, $method, $image, $truth, $options, $a, $b, $left, $at)
            RETURNING id
            """, null, ("$study", study), ("$participant", trial.Participant), ("$sequence", trial.Sequence),
            ("$kind", trial.Kind), ("$method", trial.Method), ("$image", trial.Image), ("$truth", trial.Truth),
            ("$options", string.Join('\n', trial.Options)), ("$a", trial.ModelA), ("$b", trial.ModelB),
            ("$left", trial.AOnLeft), ("$at", Now))!;
        return trial with { Id = id };
    }

    /// <summary>
    /// The trial <paramref name="id"/> given to <paramref name="participant"/> in <paramref name="study"/>.
    /// </summary>
    public TrialRecord? Find(string study, string participant, long id)
    {
        using SqliteConnection connection = Connect();
        using SqliteCommand command = Command(connection, """
            SELECT participant, sequence, kind, method, image, truth, options, model_a, model_b, a_on_left
            FROM trials WHERE id = $id AND study = $s AND participant = $p
            """, null, ("$id", id), ("$s", study), ("$p", participant));
        using SqliteDataReader reader = command.ExecuteReader();
        if (!reader.Read()) return null;
        return new TrialRecord(id, reader.GetString(0), reader.GetInt32(1), reader.GetString(2), reader.GetString(3),
            reader.GetString(4), reader.GetString(5), reader.GetString(6).Split('\n'),
            reader.IsDBNull(7) ? null : reader.GetString(7), reader.IsDBNull(8) ? null : reader.GetString(8),
            reader.GetBoolean(9));
    }

    /// <summary>Stores an answer, committed on return; false when the trial was already answered.</summary>
    public bool Answer(long trial, string? choice, int? rating, bool? correct)
    {
        using SqliteConnection connection = Connect();
        return Scalar(connection, """
            INSERT INTO answers (trial, choice, rating, correct, answered_at) VALUES ($t, $c, $r, $k, $at)
            ON CONFLICT (trial) DO NOTHING RETURNING 1
            """, null, ("$t", trial), ("$c", choice), ("$r", rating), ("$k", correct), ("$at", Now)) is 1L;
    }

    /// <summary>Every answered trial of <paramref name="study"/> (every study when null), in answer order.</summary>
    public IReadOnlyList<AnsweredTrial> Answers(string? study = null)
    {
        using SqliteConnection connection = Connect();
        using SqliteCommand command = Command(connection, """
            SELECT t.study, t.participant, t.kind, t.method, t.image, t.truth, t.model_a, t.model_b, a.choice,
                a.rating, a.correct, a.answered_at
            FROM answers a JOIN trials t ON t.id = a.trial
            WHERE $s IS NULL OR t.study = $s
            ORDER BY a.answered_at, a.trial
            """, null, ("$s", study));
        using SqliteDataReader reader = command.ExecuteReader();
        var answers = new List<AnsweredTrial>();
        while (reader.Read())
        {
            answers.Add(new AnsweredTrial(reader.GetString(0), reader.GetString(1), reader.GetString(2),
                reader.GetString(3), reader.GetString(4), reader.GetString(5),
                reader.IsDBNull(6) ? null : reader.GetString(6), reader.IsDBNull(7) ? null : reader.GetString(7),
                reader.IsDBNull(8) ? null : reader.GetString(8), reader.IsDBNull(9) ? null : reader.GetInt32(9),
                reader.IsDBNull(10) ? null : reader.GetBoolean(10),
                DateTimeOffset.Parse(reader.GetString(11), CultureInfo.InvariantCulture)));
        }
        return answers;
    }

    private static string Now => DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);

    private SqliteConnection Connect()
    {
        var connection = new SqliteConnection(_connection);
        connection.Open();
        return connection;
    }

    private static SqliteCommand Command(SqliteConnection connection, string sql, SqliteTransaction? transaction,
        params (string Name, object? Value)[] parameters)
    {
        SqliteCommand command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        foreach ((string name, object? value) in parameters)
            command.Parameters.AddWithValue(name, value ?? DBNull.Value);
        return command;
    }

    private static object? Scalar(SqliteConnection connection, string sql, SqliteTransaction? transaction = null,
        params (string Name, object? Value)[] parameters)
    {
        using SqliteCommand command = Command(connection, sql, transaction, parameters);
        return command.ExecuteScalar();
    }

    private static void Execute(SqliteConnection connection, string sql, SqliteTransaction transaction)
    {
        using SqliteCommand command = Command(connection, sql, transaction);
        command.ExecuteNonQuery();
    }
}
