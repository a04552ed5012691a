using GraphQL;

namespace Matcha.Gateway.GraphQL;

/// <summary>
/// A service that failed leaves its fields null and is named once in the answer's errors, as the
/// screens name it in <c>unavailable</c>: code <c>SERVICE_UNAVAILABLE</c>, with the service and
/// the reason (<c>timeout</c>, <c>circuit-open</c>, <c>unreachable</c>, …) in the extensions.
/// </summary>
internal static class ServiceErrors
{
    public const string Code = "SERVICE_UNAVAILABLE";

    public static void Report(IResolveFieldContext context, string service, string reason)
    {
        lock (context.Errors)
        {
            if (context.Errors.Any(e => e.Code == Code && Equals(e.Extensions?.GetValueOrDefault("service"), service)))
            {
                return;
            }
            var error = new ExecutionError($"{service} is unavailable ({reason}); its fields are null.") { Code = Code };
            error.Extensions ??= [];
            error.Extensions["service"] = service;
            error.Extensions["reason"] = reason;
            context.Errors.Add(error);
        }
    }
}
