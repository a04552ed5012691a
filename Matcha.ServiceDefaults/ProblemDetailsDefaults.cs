using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace Matcha.ServiceDefaults;

public static class ProblemDetailsDefaults
{
    /// <summary>
    /// Errors leave every service as RFC 7807 problem details; ASP.NET Core adds the
    /// <c>traceId</c>, so a client's error report leads straight to the trace in the dashboard.
    /// </summary>
    public static TBuilder AddDefaultProblemDetails<TBuilder>(this TBuilder builder) where TBuilder : IHostApplicationBuilder
    {
        builder.Services.AddProblemDetails();
        return builder;
    }

    /// <summary>
    /// Unhandled exceptions and bare status codes (404, 405, ...) become problem details too.
    /// A request the framework could not read (malformed JSON, in Development thrown rather
    /// than answered) keeps its own status, 400, instead of becoming a 500.
    /// </summary>
    public static WebApplication UseDefaultProblemDetails(this WebApplication app)
    {
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = exception => exception is BadHttpRequestException bad ? bad.StatusCode : StatusCodes.Status500InternalServerError,
        });
        app.UseStatusCodePages();
        return app;
    }
}
