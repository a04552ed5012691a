using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Xunit.Abstractions;

namespace Matcha.Tests.Gateway;

/// <summary>
/// Every operation the gateway serves (its own and every proxied service's, read from the running
/// apps by <see cref="GatewayOperations"/>), called with hostile values in each parameter and body
/// field, anonymously and signed in: the answer is never a 5xx, and a 4xx is a problem document.
/// </summary>
[Collection(MatchaAppCollectionDefinition.Name)]
[Trait("Category", "AppHost")]
public sealed class NoServerErrorFuzzTests(MatchaAppFixture fixture, ITestOutputHelper output)
{
    // Each signed-in user has a rate-limit bucket of its own (100/s): several spread the load.
    private const int SignedInUsers = 4;
    private const int Parallelism = 16;

    [Fact]
    public async Task EveryRouteOfTheRouteTableIsCovered()
    {
        var operations = await GatewayOperations.ReadAsync(fixture);

        var uncovered = GatewayOperations.ProxyRoutes().Where(r => !operations.Any(o => GatewayOperations.Matches(r, o))).Select(r => r.Name);

        Assert.Empty(uncovered);
        Assert.Contains(operations, o => o.Path.StartsWith("/api/screens/", StringComparison.Ordinal));
    }

    [Fact]
    public async Task NoInputMakesAServerError()
    {
        var operations = (await GatewayOperations.ReadAsync(fixture))
            // Deleting one's account ends the user's writes: the fuzzing user does it last.
            .OrderBy(o => o is { Method: "DELETE", Path: "/api/accounts/me" }).ToList();
        using var gateway = fixture.CreateGatewayClient();
        var users = new List<string>();
        for (var i = 0; i < SignedInUsers; i++)
        {
            users.Add((await gateway.SignUpAndLoginAsync()).Tokens.AccessToken);
        }

        // Anonymous: a baseline call each; the full set only where the route lets an anonymous caller in.
        var anonymous = new List<FuzzRequest>();
        foreach (var operation in operations)
        {
            using var baseline = await SendAsync(gateway, FuzzRequest.Baseline(operation, bearer: null));
            if (baseline.StatusCode != HttpStatusCode.Unauthorized)
            {
                anonymous.AddRange(FuzzRequest.All(operation, bearer: null));
            }
        }
        var signedIn = operations.SelectMany((o, i) => FuzzRequest.All(o, users[i % users.Count]).Append(FuzzRequest.Baseline(o, users[i % users.Count]))).ToList();

        var failures = new ConcurrentBag<string>();
        var count = 0;
        using var gate = new SemaphoreSlim(Parallelism);
        await Task.WhenAll(anonymous.Concat(signedIn).Select(async request =>
        {
            await gate.WaitAsync();
            try
            {
                Interlocked.Increment(ref count);
                try
                {
                    using var response = await SendAsync(gateway, request);
                    if (await FailureAsync(response) is { } failure)
                    {
                        failures.Add($"{request} → {failure}");
                    }
                }
                catch (HttpRequestException e)
                {
                    failures.Add($"{request} → no answer: {e.Message} {e.InnerException?.Message}");
                }
            }
            finally
            {
                gate.Release();
            }
        }));

        output.WriteLine($"{count} requests to {operations.Count} operations; {failures.Count} failures.");
        foreach (var failure in failures.Order())
        {
            output.WriteLine(failure);
        }
        Assert.True(failures.IsEmpty, string.Join('\n', failures.Order().Take(60)));
    }

    private static async Task<string?> FailureAsync(HttpResponseMessage response)
    {
        var status = (int)response.StatusCode;
        if (status < 400)
        {
            return null;
        }
        var body = await response.Content.ReadAsStringAsync();
        if (status >= 500)
        {
            return $"{status} {body[..Math.Min(body.Length, 300)]}";
        }
        // Kestrel itself refuses a request it cannot take as HTTP (a NUL in the path, a request line
        // or headers over the limits) before the app sees it: an empty answer, and the connection closed.
        if (status is 400 or 414 or 431 && body.Length == 0 && response.Headers.ConnectionClose == true)
        {
            return null;
        }
        return response.Content.Headers.ContentType?.MediaType == "application/problem+json"
            ? null
            : $"{status} without a problem document ({response.Content.Headers.ContentType?.MediaType ?? "no content type"})";
    }

    /// <summary>Sends a request; a 429 (the gateway's rate limit) is waited out and sent again.</summary>
    private static async Task<HttpResponseMessage> SendAsync(HttpClient gateway, FuzzRequest request)
    {
        for (var attempt = 0; ; attempt++)
        {
            using var message = request.ToMessage();
            var response = await gateway.SendAsync(message);
            if (response.StatusCode != HttpStatusCode.TooManyRequests || attempt == 20)
            {
                return response;
            }
            var wait = response.Headers.RetryAfter?.Delta ?? TimeSpan.FromSeconds(1);
            response.Dispose();
            await Task.Delay(wait);
        }
    }

    private sealed record FuzzRequest(GatewayOperation Operation, string Url, byte[]? Body, string? Bearer, string What)
    {
        public override string ToString() => $"{Operation.Method} {Url[..Math.Min(Url.Length, 160)]} [{What}, {(Bearer is null ? "anonymous" : "signed in")}]";

        public HttpRequestMessage ToMessage()
        {
            var message = new HttpRequestMessage(new HttpMethod(Operation.Method), new Uri(Url, UriKind.Relative));
            // The session endpoints read their body only from the web app (see SessionApi).
            message.Headers.Add("X-Matcha-Session", "1");
            if (Bearer is not null)
            {
                message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", Bearer);
            }
            if (Body is not null)
            {
                message.Content = new ByteArrayContent(Body);
                message.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
                // A body over the limit is refused before it is read: wait for the go-ahead before sending it.
                message.Headers.ExpectContinue = true;
            }
            return message;
        }

        public static FuzzRequest Baseline(GatewayOperation operation, string? bearer) =>
            new(operation, PathWith(operation, null, null), BodyWith(operation, null, null), bearer, "baseline");

        public static IEnumerable<FuzzRequest> All(GatewayOperation operation, string? bearer)
        {
            foreach (var parameter in operation.Parameters.Where(p => p.In is "path" or "query"))
            {
                foreach (var value in FuzzValues.ForUrl(parameter.Type))
                {
                    var url = parameter.In == "path"
                        ? PathWith(operation, parameter.Name, value)
                        : $"{PathWith(operation, null, null)}?{parameter.Name}={value}";
                    yield return new(operation, url, BodyWith(operation, null, null), bearer, $"{parameter.Name}={Short(value)}");
                }
            }
            foreach (var field in operation.BodyFields)
            {
                foreach (var value in FuzzValues.ForJson())
                {
                    yield return new(operation, PathWith(operation, null, null), BodyWith(operation, field.Name, value), bearer, $"{field.Name}={Short(value)}");
                }
            }
            if (operation.HasBody)
            {
                foreach (var body in FuzzValues.Bodies())
                {
                    yield return new(operation, PathWith(operation, null, null), body, bearer, $"body={Short(Encoding.UTF8.GetString(body))}");
                }
            }
        }

        private static string Short(string value) => value.Length > 40 ? $"{value[..20]}…({value.Length})" : value;

        /// <summary>The path with every parameter at a plain value (1, or x), except <paramref name="name"/>.</summary>
        private static string PathWith(GatewayOperation operation, string? name, string? value)
        {
            var path = operation.Path;
            foreach (var parameter in operation.Parameters.Where(p => p.In == "path"))
            {
                var plain = parameter.Type is "integer" or "number" ? "1" : "x";
                path = path.Replace($"{{{parameter.Name}}}", parameter.Name == name ? value : plain, StringComparison.Ordinal);
            }
            return path;
        }

        /// <summary>A JSON object with every field at a plain value, except <paramref name="name"/> set to <paramref name="json"/>.</summary>
        private static byte[]? BodyWith(GatewayOperation operation, string? name, string? json)
        {
            if (!operation.HasBody)
            {
                return null;
            }
            var fields = operation.BodyFields.Select(f => $"\"{f.Name}\":{(f.Name == name ? json : Plain(f.Type))}");
            return Encoding.UTF8.GetBytes("{" + string.Join(',', fields) + "}");
        }

        private static string Plain(string type) => type switch
        {
            "integer" or "number" => "1",
            "boolean" => "false",
            "object" => "{}",
            "array" => "[]",
            _ => "\"x\"",
        };
    }
}
