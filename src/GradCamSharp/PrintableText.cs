using System.Globalization;
using System.Text;

namespace GradCamSharp;

/// <summary>
/// Untrusted text (a file name, a tensor name, a word) as it can be quoted in a one-line message: control characters
/// such as a newline are escaped, so that a message is never cut short or split into lines a reader takes for others,
/// and very long text is shortened.
/// </summary>
public static class PrintableText
{
    /// <summary>The most characters of one name quoted in a message.</summary>
    public const int MaxLength = 200;

    /// <summary>
    /// <paramref name="text"/> with every control character written as <c>\n</c>, <c>\t</c> or <c>\xHH</c> (or
    /// <c>\uHHHH</c>), cut to <see cref="MaxLength"/> characters with "..." after.
    /// </summary>
    public static string Printable(string? text) => Escape(text, MaxLength);

    /// <summary>
    /// <paramref name="text"/> with every control character escaped as <see cref="Printable"/> does, kept whole:
    /// a whole message made one line without losing what follows a newline in a name it quotes.
    /// </summary>
    public static string OneLine(string? text) => Escape(text, int.MaxValue);

    private static string Escape(string? text, int maxLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var result = new StringBuilder(Math.Min(text.Length, maxLength) + 8);
        foreach (char c in text.Length > maxLength ? text[..maxLength] : text)
        {
            result.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when c < 0x100 && (char.IsControl(c) || char.GetUnicodeCategory(c) == UnicodeCategory.Format) =>
                    $"\\x{(int)c:x2}",
                _ when char.IsControl(c) || char.GetUnicodeCategory(c) is UnicodeCategory.Format
                    or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => $"\\u{(int)c:x4}",
                _ => c.ToString(),
            });
        }
        if (text.Length > maxLength) result.Append("...");
        return result.ToString();
    }
}
