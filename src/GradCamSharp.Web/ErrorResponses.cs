using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace GradCamSharp.Web;

/// <summary>
/// Turns what went wrong into one status and a one-line reason, in one place: bad input 400, an oversized body 413
/// (refused from its Content-Length before anything is read), a full queue or a request out of time 503 with
/// Retry-After. A client that went away gets nothing.
/// </summary>
public static class ErrorResponses
{
    /// <summary>Installs the body-size check and the exception mapping.</summary>
    public static void UseErrorResponses(this WebApplication app, WebLimits limits)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(limits);
        app.Use(async (context, next) =>
        {
            if (context.Request.ContentLength > limits.MaxRequestBytes)
            {
                // Answered before the body is read: a client that sent Expect: 100-continue never sends it.
                await Write(context, StatusCodes.Status413PayloadTooLarge, TooLarge(limits));
                return;
            }
            if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } size)
                size.MaxRequestBodySize = limits.MaxRequestBytes;
            try
            {
                await next(context);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                // The client went away; its work has stopped and there is no one to answer.
            }
            catch (Exception exception) when (Status(exception, limits) is { } failure && !context.Response.HasStarted)
            {
                if (failure.RetryAfter is int seconds)
                    context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
                await Write(context, failure.Status, failure.Message);
            }
        });
    }

    private static (int Status, string Message, int? RetryAfter)? Status(Exception exception, WebLimits limits) =>
        exception switch
        {
            UsageException or UnreadableInputException => (StatusCodes.Status400BadRequest, exception.Message, null),
            ServerBusyException busy => (StatusCodes.Status503ServiceUnavailable, busy.Message,
                busy.RetryAfterSeconds),
            RequestTimeoutException late => (StatusCodes.Status503ServiceUnavailable, late.Message,
                late.RetryAfterSeconds),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, TooLarge(limits), null),
            // The form reader's own limit (a body without Content-Length).
            InvalidDataException when exception.Message.Contains("limit", StringComparison.OrdinalIgnoreCase) =>
                (StatusCodes.Status413PayloadTooLarge, TooLarge(limits), null),
            BadHttpRequestException bad => (bad.StatusCode, bad.Message, null),
            _ => null,
        };

    private static string TooLarge(WebLimits limits) =>
        $"the upload is larger than the limit of {limits.MaxUploadMegabytes} MB";

    private static Task Write(HttpContext context, int status, string message)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(new ErrorResponse(message));
    }
}
