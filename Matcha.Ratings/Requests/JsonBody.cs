using System.Diagnostics;
using System.Diagnostics.CodeAnalysis;
using System.Reflection;
using System.Text.Json;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Http.Metadata;

namespace Matcha.Ratings.Requests;

/// <summary>A request body that reads itself from JSON, or says in a 400 which field it could not read.</summary>
public interface IJsonBody<TSelf> where TSelf : class, IJsonBody<TSelf>
{
    static abstract bool TryRead(JsonElement json, [NotNullWhen(true)] out TSelf? body, [NotNullWhen(false)] out ValidationProblem? problem);
}

/// <summary>
/// Binds a typed request body. The framework's own JSON binding answers a malformed body or a
/// field of the wrong type with a bare 400 before the endpoint runs; this binding always reaches
/// the endpoint, with either the body or the 400 that names the field. The endpoint's OpenAPI
/// description shows <typeparamref name="T"/> as its request body.
/// </summary>
internal sealed class JsonBody<T> : IBindableFromHttpContext<JsonBody<T>>, IEndpointParameterMetadataProvider
    where T : class, IJsonBody<T>
{
    private readonly T? value;
    private readonly ValidationProblem? problem;

    private JsonBody(T? value, ValidationProblem? problem) => (this.value, this.problem) = (value, problem);

    public bool TryGet([NotNullWhen(true)] out T? body, [NotNullWhen(false)] out ValidationProblem? invalid)
    {
        (body, invalid) = (value, problem);
        return body is not null;
    }

    public static async ValueTask<JsonBody<T>?> BindAsync(HttpContext context, ParameterInfo parameter)
    {
        if (!context.Request.HasJsonContentType())
        {
            // What the framework's JSON binding answers too; the exception handler keeps the status.
            throw new BadHttpRequestException("The request body must be JSON.", StatusCodes.Status415UnsupportedMediaType);
        }
        JsonElement json;
        try
        {
            using var document = await JsonDocument.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted);
            json = document.RootElement.Clone();
        }
        catch (JsonException)
        {
            json = default;   // not JSON at all: T names its field as for any other unreadable body
        }
        try
        {
            return T.TryRead(json, out var body, out var problem) ? new(body, null) : new(null, problem);
        }
        catch (InvalidOperationException)
        {
            // A string holding an escaped lone surrogate ("\ud800") parses, but reading it as .NET
            // text throws: such a body is as unreadable as one that is not JSON, and answered alike.
            return T.TryRead(default, out _, out var problem) ? throw new UnreachableException() : new(null, problem);
        }
    }

    public static void PopulateMetadata(ParameterInfo parameter, EndpointBuilder builder) =>
        builder.Metadata.Add(new AcceptsMetadata(["application/json"], typeof(T)));
}
