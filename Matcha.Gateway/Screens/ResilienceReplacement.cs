namespace Matcha.Gateway.Screens;

internal static class ResilienceReplacement
{
    /// <summary>
    /// Removes the standard resilience handler that ServiceDefaults puts on every client, so a
    /// client can have a pipeline of its own instead of two stacked. This is the documented way
    /// (RemoveAllResilienceHandlers), still marked experimental in Microsoft.Extensions.Http.Resilience.
    /// </summary>
    public static IHttpClientBuilder ReplaceDefaultResilience(this IHttpClientBuilder builder)
    {
#pragma warning disable EXTEXP0001
        return builder.RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
    }
}
