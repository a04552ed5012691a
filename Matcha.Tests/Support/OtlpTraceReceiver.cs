using System.Collections.Concurrent;
using Google.Protobuf;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Matcha.Tests.Support;

/// <summary>A span as an OTLP exporter sent it: which service, which trace, which parent.</summary>
public sealed record ExportedSpan(
    string Service, string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, IReadOnlyDictionary<string, string> Attributes)
{
    public const int ServerKind = 2;
    public const int ClientKind = 3;
}

/// <summary>
/// An OTLP/HTTP (protobuf) endpoint inside the test process, standing in for the dashboard's
/// collector so tests can see the spans every service exports. It decodes just the fields a
/// test asserts on; the OTLP proto types are not published as a package that restores here.
/// </summary>
public sealed class OtlpTraceReceiver : IAsyncDisposable
{
    private const int MaxMetricExports = 500;
    private const int MaxLogExports = 2000;
    private readonly ConcurrentQueue<ExportedSpan> _spans = new();
    private readonly ConcurrentQueue<byte[]> _metrics = new();
    private readonly ConcurrentQueue<(long Number, byte[] Body)> _logs = new();
    private long _logExports;
    private WebApplication? _app;

    public string Endpoint { get; private set; } = "";

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        _app = builder.Build();
        _app.MapPost("/v1/traces", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            foreach (var span in Decode(body.ToArray()))
            {
                _spans.Enqueue(span);
            }
            return Results.Ok();
        });
        _app.MapPost("/v1/metrics", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _metrics.Enqueue(body.ToArray());
            while (_metrics.Count > MaxMetricExports && _metrics.TryDequeue(out _))
            {
            }
            return Results.Ok();
        });
        _app.MapPost("/v1/logs", async (HttpRequest request) =>
        {
            using var body = new MemoryStream();
            await request.Body.CopyToAsync(body);
            _logs.Enqueue((Interlocked.Increment(ref _logExports), body.ToArray()));
            while (_logs.Count > MaxLogExports && _logs.TryDequeue(out _))
            {
            }
            return Results.Ok();
        });
        await _app.StartAsync();
        Endpoint = _app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
    }

    /// <summary>
    /// Whether one recent metrics export holds all of <paramref name="texts"/> (a metric's name, an
    /// attribute's value): protobuf keeps strings as plain UTF-8, so no decoding is needed to find them.
    /// </summary>
    public bool MetricsExportContains(params string[] texts)
    {
        var needles = Utf8(texts);
        return _metrics.Any(export => Holds(export, needles));
    }

    /// <summary>How many log exports have arrived so far: a mark for <see cref="LogsExportedSince"/>.</summary>
    public long LogExports => Interlocked.Read(ref _logExports);

    /// <summary>Whether one log export that arrived after <paramref name="mark"/> holds all of <paramref name="texts"/> (as <see cref="MetricsExportContains"/>).</summary>
    public bool LogsExportedSince(long mark, params string[] texts)
    {
        var needles = Utf8(texts);
        return _logs.Any(export => export.Number > mark && Holds(export.Body, needles));
    }

    private static byte[][] Utf8(string[] texts) => [.. texts.Select(System.Text.Encoding.UTF8.GetBytes)];

    private static bool Holds(byte[] export, byte[][] needles) => needles.All(needle => export.AsSpan().IndexOf(needle) >= 0);

    public IReadOnlyList<ExportedSpan> SpansOf(string traceId) => [.. _spans.Where(s => s.TraceId == traceId)];

    public IReadOnlyList<ExportedSpan> SpansNamed(string name) => [.. _spans.Where(s => s.Name == name)];

    /// <summary>Waits until the spans of one trace satisfy <paramref name="done"/>, or the timeout passes.</summary>
    public async Task<IReadOnlyList<ExportedSpan>> WaitForTraceAsync(string traceId, Func<IReadOnlyList<ExportedSpan>, bool> done, TimeSpan timeout)
    {
        var deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            var spans = SpansOf(traceId);
            if (done(spans) || DateTime.UtcNow > deadline)
            {
                return spans;
            }
            await Task.Delay(100);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }
    }

    // ExportTraceServiceRequest { repeated ResourceSpans resource_spans = 1; }
    // ResourceSpans { Resource resource = 1; repeated ScopeSpans scope_spans = 2; }
    // Resource { repeated KeyValue attributes = 1; }  KeyValue { string key = 1; AnyValue value = 2; }
    // ScopeSpans { repeated Span spans = 2; }
    // Span { bytes trace_id = 1; bytes span_id = 2; bytes parent_span_id = 4; string name = 5; SpanKind kind = 6;
    //        repeated KeyValue attributes = 9; }   AnyValue { string string_value = 1; int64 int_value = 3; }
    private static IEnumerable<ExportedSpan> Decode(byte[] request)
    {
        foreach (var resourceSpans in Fields(request, 1))
        {
            var service = Fields(resourceSpans, 1).SelectMany(resource => Fields(resource, 1))
                .Select(ReadAttribute)
                .FirstOrDefault(a => a.Key == "service.name").Value ?? "";
            foreach (var span in Fields(resourceSpans, 2).SelectMany(scope => Fields(scope, 2)))
            {
                yield return ReadSpan(service, span);
            }
        }
    }

    private static (string Key, string? Value) ReadAttribute(ByteString keyValue)
    {
        string key = "";
        string? value = null;
        var input = keyValue.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: key = input.ReadString(); break;
                case 2: value = ReadAnyValue(input.ReadBytes()); break;
                default: input.SkipLastField(); break;
            }
        }
        return (key, value);
    }

    private static string? ReadAnyValue(ByteString bytes)
    {
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: return input.ReadString();
                case 3: return input.ReadInt64().ToString(System.Globalization.CultureInfo.InvariantCulture);
                default: input.SkipLastField(); break;
            }
        }
        return null;
    }

    private static ExportedSpan ReadSpan(string service, ByteString bytes)
    {
        string traceId = "", spanId = "", parent = "", name = "";
        var kind = 0;
        var attributes = new Dictionary<string, string>();
        var input = bytes.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            switch (WireFormat.GetTagFieldNumber(tag))
            {
                case 1: traceId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 2: spanId = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 4: parent = Convert.ToHexStringLower(input.ReadBytes().Span); break;
                case 5: name = input.ReadString(); break;
                case 6: kind = input.ReadEnum(); break;
                case 9:
                    var (key, value) = ReadAttribute(input.ReadBytes());
                    attributes[key] = value ?? "";
                    break;
                default: input.SkipLastField(); break;
            }
        }
        return new ExportedSpan(service, traceId, spanId, parent, name, kind, attributes);
    }

    private static List<ByteString> Fields(byte[] message, int field) => Fields(ByteString.CopyFrom(message), field);

    private static List<ByteString> Fields(ByteString message, int field)
    {
        var found = new List<ByteString>();
        var input = message.CreateCodedInput();
        uint tag;
        while ((tag = input.ReadTag()) != 0)
        {
            if (WireFormat.GetTagFieldNumber(tag) == field && WireFormat.GetTagWireType(tag) == WireFormat.WireType.LengthDelimited)
            {
                found.Add(input.ReadBytes());
            }
            else
            {
                input.SkipLastField();
            }
        }
        return found;
    }
}
