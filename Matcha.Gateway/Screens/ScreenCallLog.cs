using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace Matcha.Gateway.Screens;

/// <summary>Whether a screen's answer says what it asked of each service. Section <c>Gateway:Screens</c>.</summary>
public sealed class ScreenTimingOptions
{
    public const string Section = "Gateway:Screens";

    /// <summary>
    /// Off by default: the services' names and times are for operators and benchmarks
    /// (<c>bench … screens</c> counts the calls per screen from them), not for every browser.
    /// </summary>
    public bool ServerTiming { get; set; }
}

/// <summary>
/// The requests one screen sent to the services, each with its time, reported as the screen's
/// <c>Server-Timing</c> header: one entry per request (<c>catalog;dur=4.2, ratings;dur=7.9</c>), so
/// the entries named after a service are the requests that reached it (an attempt the chaos
/// strategy answered never left, and a retry is a second entry). The home screen's shared lists are
/// read by their own loop, outside any screen, and are not in it.
/// </summary>
internal sealed class ScreenCallLog
{
    private static readonly AsyncLocal<ScreenCallLog?> CurrentLog = new();

    private readonly ConcurrentQueue<(string Service, TimeSpan Elapsed)> _calls = new();

    public static ScreenCallLog? Current => CurrentLog.Value;

    /// <summary>A log for the screen being assembled: the calls made from here on, in this flow, go in it.</summary>
    public static ScreenCallLog Begin() => CurrentLog.Value = new ScreenCallLog();

    public void Add(string service, TimeSpan elapsed) => _calls.Enqueue((service, elapsed));

    public string ToServerTiming()
    {
        var header = new StringBuilder();
        foreach (var (service, elapsed) in _calls)
        {
            header.Append(header.Length == 0 ? "" : ", ").Append(service)
                .Append(CultureInfo.InvariantCulture, $";dur={elapsed.TotalMilliseconds:F1}");
        }
        return header.ToString();
    }
}

/// <summary>Puts each request to <paramref name="service"/> in the screen's <see cref="ScreenCallLog"/>, when there is one.</summary>
internal sealed class ScreenCallLogHandler(string service) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        if (ScreenCallLog.Current is not { } log)
        {
            return await base.SendAsync(request, cancellationToken);
        }
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await base.SendAsync(request, cancellationToken);
        }
        finally
        {
            log.Add(service, Stopwatch.GetElapsedTime(started));
        }
    }
}
