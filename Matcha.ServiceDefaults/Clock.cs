using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;

namespace Matcha.ServiceDefaults;

/// <summary>
/// Every service reads time through <see cref="TimeProvider"/>, so tests can move it. The
/// system clock is registered once here; a test host that registered its own keeps it.
/// </summary>
public static class Clock
{
    public static IHostApplicationBuilder AddSystemClock(this IHostApplicationBuilder builder)
    {
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>Today's date in UTC, the calendar day release dates are compared with.</summary>
    public static DateOnly Today(this TimeProvider clock) => DateOnly.FromDateTime(clock.GetUtcNow().UtcDateTime);
}
