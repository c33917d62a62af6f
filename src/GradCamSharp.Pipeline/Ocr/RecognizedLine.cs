using GradCamSharp.Imaging;

namespace GradCamSharp.Pipeline.Ocr;

/// <summary>A text line as the recogniser read it.</summary>
/// <param name="Text">The decoded text.</param>
/// <param name="Characters">Each decoded character with the frames it was read on.</param>
/// <param name="Path">The best class of every frame (the CTC best path, blanks included).</param>
/// <param name="Prepared">The recogniser's input, with what maps it back onto the picture.</param>
public sealed record RecognizedLine(string Text, IReadOnlyList<RecognizedCharacter> Characters,
    IReadOnlyList<int> Path, PreparedImage Prepared);

/// <summary>One decoded character.</summary>
/// <param name="Index">Its position in the decoded text.</param>
/// <param name="Text">The character.</param>
/// <param name="Token">Its class index.</param>
/// <param name="Frames">The output frames it was read on.</param>
/// <param name="Confidence">The mean probability of the best class over those frames.</param>
public sealed record RecognizedCharacter(int Index, string Text, int Token, IReadOnlyList<int> Frames,
    double Confidence);
