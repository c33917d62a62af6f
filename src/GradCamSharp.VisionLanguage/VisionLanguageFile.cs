using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace GradCamSharp.VisionLanguage;

/// <summary>
/// A trained captioner or VQA model as two files: this reviewable JSON (task, world, vocabulary, answers, the recipe
/// that reproduces it, what it scored on held-out scenes) and, beside it, the TorchSharp weights it names.
/// </summary>
public sealed class VisionLanguageFile
{
    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    };

    /// <summary>The model's name, e.g. "shapes-vqa".</summary>
    [JsonPropertyName("name")] public required string Name { get; init; }

    /// <summary>How it was made.</summary>
    [JsonPropertyName("about")] public string? About { get; init; }

    /// <summary>The image encoder: <see cref="VisionLanguageModel.ShapeEncoderName"/> (trained with the head) or
    /// <see cref="VisionLanguageModel.ResNetEncoderName"/> (the embedded ResNet18, frozen).</summary>
    [JsonPropertyName("encoder")] public required string Encoder { get; init; }

    /// <summary>The recipe, task and world included.</summary>
    [JsonPropertyName("training")] public required VisionLanguageRecipe Training { get; init; }

    /// <summary>The words the model reads or writes, without the reserved ones.</summary>
    [JsonPropertyName("vocabulary")] public required IReadOnlyList<string> Vocabulary { get; init; }

    /// <summary>The answers a VQA model chooses from, in logit order; empty for captioners.</summary>
    [JsonPropertyName("answers")] public IReadOnlyList<string> Answers { get; init; } = [];

    /// <summary>The most words of a question or caption.</summary>
    [JsonPropertyName("max_words")] public required int MaxWords { get; init; }

    /// <summary>Loss and held-out score after every epoch.</summary>
    [JsonPropertyName("epochs")] public IReadOnlyList<EpochReport> Epochs { get; init; } = [];

    /// <summary>The weights file, relative to this file.</summary>
    [JsonPropertyName("weights")] public required string Weights { get; init; }

    /// <summary>Reads a model description.</summary>
    /// <exception cref="UnreadableInputException">Missing or malformed.</exception>
    public static VisionLanguageFile Load(string path)
    {
        return UntrustedJson.Read<VisionLanguageFile>(path, "model file", UntrustedJson.Strict(Json));
    }

    /// <summary>The description as indented JSON.</summary>
    public string ToJson() => JsonSerializer.Serialize(this, Json);
}

/// <summary>One epoch of training.</summary>
/// <param name="Epoch">Counted from 1.</param>
/// <param name="Loss">The mean training loss over the epoch.</param>
/// <param name="HeldOut">VQA answer accuracy, or the captioner's per-word accuracy, on the held-out scenes.</param>
/// <param name="Seconds">Time since training began.</param>
public sealed record EpochReport(
    [property: JsonPropertyName("epoch")] int Epoch,
    [property: JsonPropertyName("loss")] double Loss,
    [property: JsonPropertyName("held_out")] double HeldOut,
    [property: JsonPropertyName("seconds")] double Seconds);
