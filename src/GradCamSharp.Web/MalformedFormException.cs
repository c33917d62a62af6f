namespace GradCamSharp.Web;

/// <summary>
/// A request body that is not a well-formed multipart form within the form limits: a missing or bad boundary, a body
/// that ends early, too many fields, a part header too long. Answered 400 with what is wrong, or 413 when the body
/// itself is over the upload limit.
/// </summary>
internal sealed class MalformedFormException : UsageException
{
    /// <summary>Creates the exception.</summary>
    /// <param name="message">What is wrong, for the client.</param>
    /// <param name="tooLarge">Whether the body is over the upload limit.</param>
    /// <param name="inner">What the form reader threw.</param>
    public MalformedFormException(string message, bool tooLarge, Exception inner) : base(message, inner)
    {
        TooLarge = tooLarge;
    }

    /// <summary>Whether the body is over the upload limit (413) rather than malformed (400).</summary>
    public bool TooLarge { get; }

    /// <summary>
    /// What the form reader's exception means (its own types and messages, ASP.NET Core's FormReader and
    /// MultipartReader), or null for one that is not about the form.
    /// </summary>
    public static MalformedFormException? From(Exception exception)
    {
        ArgumentNullException.ThrowIfNull(exception);
        string message = exception.Message;
        bool Says(string text) => message.Contains(text, StringComparison.OrdinalIgnoreCase);
        return exception switch
        {
            InvalidDataException when Says("body length limit") =>
                new MalformedFormException("the upload is larger than the limit", true, exception),
            InvalidDataException when Says("value count limit") =>
                new MalformedFormException($"the form has too many fields ({message.TrimEnd('.')})", false, exception),
            InvalidDataException when Says("headers count limit") || Says("line length limit")
                || Says("headers length limit") =>
                new MalformedFormException($"a part of the form has headers that are too long or too many " +
                    $"({message.TrimEnd('.')})", false, exception),
            InvalidDataException when Says("key length limit") || Says("value length limit") =>
                new MalformedFormException($"a form field is too long ({message.TrimEnd('.')})", false, exception),
            InvalidDataException when Says("boundary") =>
                new MalformedFormException($"the multipart boundary is missing or invalid ({message.TrimEnd('.')})",
                    false, exception),
            InvalidDataException =>
                new MalformedFormException($"the multipart form is malformed ({message.TrimEnd('.')})", false,
                    exception),
            IOException when Says("Unexpected end of") =>
                new MalformedFormException("the multipart form ends before its closing boundary (a Content-Length " +
                    "shorter than the body, or a truncated upload)", false, exception),
            _ => null,
        };
    }
}
