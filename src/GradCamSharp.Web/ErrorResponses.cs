using System.Globalization;
using Microsoft.AspNetCore.Http.Features;

namespace GradCamSharp.Web;

/// <summary>
/// Turns what went wrong into one status and a one-line reason in a JSON body, in one place: bad input 400 (a
/// malformed multipart form too, saying what is wrong with it), an oversized body 413 (refused from its
/// Content-Length before anything is read), a full queue or a request out of time 503 with Retry-After, an unknown
/// route or method 404 or 405. A client that went away gets nothing. Every response also says not to sniff its type,
/// not to be framed and not to send a referrer.
/// </summary>
internal static class ErrorResponses
{
    /// <summary>Installs the body-size check and the exception mapping.</summary>
    public static void UseErrorResponses(this WebApplication app, WebLimits limits)
    {
        ArgumentNullException.ThrowIfNull(app);
        ArgumentNullException.ThrowIfNull(limits);
        app.Use(async (context, next) =>
        {
            context.Response.Headers.XContentTypeOptions = "nosniff";
            context.Response.Headers.XFrameOptions = "DENY";
            context.Response.Headers["Referrer-Policy"] = "no-referrer";
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
        // A status the routing sets without a body (an unknown route, a method the route does not take) gets one.
        app.UseStatusCodePages(async status =>
        {
            HttpResponse response = status.HttpContext.Response;
            if (response.StatusCode is < 400 or >= 600 || response.HasStarted) return;
            await response.WriteAsJsonAsync(new ErrorResponse(response.StatusCode switch
            {
                StatusCodes.Status404NotFound => $"no such resource: {status.HttpContext.Request.Path}",
                StatusCodes.Status405MethodNotAllowed =>
                    $"{status.HttpContext.Request.Method} is not allowed on {status.HttpContext.Request.Path}",
                _ => $"the request failed ({response.StatusCode})",
            }));
        });
    }

    private static (int Status, string Message, int? RetryAfter)? Status(Exception exception, WebLimits limits) =>
        exception switch
        {
            MalformedFormException { TooLarge: true } => (StatusCodes.Status413PayloadTooLarge, TooLarge(limits), null),
            UsageException or UnreadableInputException => (StatusCodes.Status400BadRequest, exception.Message, null),
            ServerBusyException busy => (StatusCodes.Status503ServiceUnavailable, busy.Message,
                busy.RetryAfterSeconds),
            RequestTimeoutException late => (StatusCodes.Status503ServiceUnavailable, late.Message,
                late.RetryAfterSeconds),
            BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } =>
                (StatusCodes.Status413PayloadTooLarge, TooLarge(limits), null),
            BadHttpRequestException { InnerException: System.Text.Json.JsonException json } bad =>
                (bad.StatusCode, $"{bad.Message.TrimEnd('.')}: {json.Message.Split('\n')[0]}", null),
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
