using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;

namespace Matcha.Catalog;

/// <summary>
/// The JSON of a cached answer, serialized once per instance. HybridCache hands out the very same instance on every hit
/// of its in-process copy (the cached types are sealed and <c>[ImmutableObject(true)]</c>), so a hit writes the bytes
/// kept beside that instance instead of serializing the film again: serializing the film page was a fifth of Catalog's
/// CPU per cached read (docs/performance.md, "Cached reads: where the time went"). The bytes live as long as the
/// instance does (a weak table), so dropping a cache entry drops them too. The options are the app's own JSON options,
/// so the answer is byte for byte what <c>TypedResults.Ok</c> would have written.
/// </summary>
internal sealed class CachedJson(IOptions<JsonOptions> options)
{
    private const string ContentType = "application/json; charset=utf-8";
    private readonly ConditionalWeakTable<object, byte[]> _serialized = [];

    public FileContentHttpResult Ok<T>(T value) where T : class
    {
        if (!_serialized.TryGetValue(value, out var bytes))
        {
            bytes = JsonSerializer.SerializeToUtf8Bytes(value, options.Value.SerializerOptions.GetTypeInfo(typeof(T)));
            _serialized.TryAdd(value, bytes);
        }
        return TypedResults.Bytes(bytes, ContentType);
    }
}
