using System.Text.Json;
using GraphQL;
using GraphQL.Transport;
using GraphQL.Types;
using GraphQL.Validation;
using GraphQL.Validation.Rules.Custom;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Matcha.Gateway.GraphQL;

/// <summary>Limits of <c>POST /api/graphql</c>, section <c>Gateway:GraphQL</c>.</summary>
public sealed class GraphQLOptions
{
    public const string Section = "Gateway:GraphQL";

    /// <summary>The deepest selection asked for: a film's page with its credits' names is 4 deep, my rows' films' titles 4.</summary>
    [System.ComponentModel.DataAnnotations.Range(2, 20)]
    public int MaxDepth { get; set; } = 5;

    /// <summary>GraphQL.NET's complexity: each field 1, times the films a list field asks for (films' ids, a ranking's limit, my rows).</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 1_000_000)]
    public int MaxComplexity { get; set; } = 3000;
}

/// <summary>
/// GraphQL at the gateway, <c>POST /api/graphql</c>: the HTTP endpoint written here over
/// GraphQL.NET's executer and System.Text.Json serializer (GraphQL.Server is not served). A request
/// the validator refuses — a syntax error, an unknown field, a signed-in field asked anonymously,
/// a query deeper or costlier than <see cref="GraphQLOptions"/> allows, introspection outside
/// Development — is a 400 with the errors, and reaches no service. An executed one is a 200 whose
/// errors name any service that failed (its fields null, the rest there).
/// </summary>
internal static class GraphQLApi
{
    public const string Path = "/api/graphql";

    public static IHostApplicationBuilder AddGraphQLApi(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<GraphQLOptions>().BindConfiguration(GraphQLOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddHttpContextAccessor();
        builder.Services.AddScoped<GraphQLReads>();
        var development = builder.Environment.IsDevelopment();
        builder.Services.AddGraphQL(graphql => graphql
            .AddSchema<MatchaSchema>()
            .AddGraphTypes(typeof(MatchaSchema).Assembly)
            .AddSystemTextJson()
            .AddComplexityAnalyzer((complexity, services) =>
            {
                var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<GraphQLOptions>>().Value;
                complexity.MaxDepth = options.MaxDepth;
                complexity.MaxComplexity = options.MaxComplexity;
            })
            .AddValidationRule<SignedInOnlyRule>()
            .ConfigureExecutionOptions(options =>
            {
                if (!development)
                {
                    options.ValidationRules = (options.ValidationRules ?? DocumentValidator.CoreRules).Append(NoIntrospectionValidationRule.Instance);
                }
            }));
        return builder;
    }

    public static WebApplication MapGraphQLApi(this WebApplication app)
    {
        // Open to anonymous callers: which fields they may ask is SignedInOnlyRule's to say.
        app.MapPost(Path, ExecuteAsync).AllowAnonymous().WithTags("GraphQL")
            .WithSummary("A GraphQL query over films, people, search, rankings and (signed in) my lists: {\"query\": \"…\", \"variables\": {…}}.");
        return app;
    }

    private static async Task<Results<GraphQLResponse, ValidationProblem>> ExecuteAsync(
        HttpContext http, IDocumentExecuter<ISchema> executer, IGraphQLTextSerializer serializer, CancellationToken ct)
    {
        GraphQLRequest? request;
        try
        {
            request = await serializer.ReadAsync<GraphQLRequest>(http.Request.Body, ct);
        }
        catch (JsonException)
        {
            request = null;
        }
        if (string.IsNullOrWhiteSpace(request?.Query))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["query"] = ["The body must be a JSON object with a GraphQL document in \"query\" (and optional \"variables\", \"operationName\")."],
            });
        }
        var result = await executer.ExecuteAsync(new ExecutionOptions
        {
            Query = request.Query,
            Variables = request.Variables,
            OperationName = request.OperationName,
            RequestServices = http.RequestServices,
            User = http.User,
            CancellationToken = ct,
        });
        return new GraphQLResponse(result, serializer);
    }
}

/// <summary>An execution result as the GraphQL-over-HTTP response: 400 when the document never ran, else 200.</summary>
internal sealed class GraphQLResponse(ExecutionResult result, IGraphQLTextSerializer serializer) : IResult
{
    public async Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = result.Executed ? StatusCodes.Status200OK : StatusCodes.Status400BadRequest;
        httpContext.Response.ContentType = "application/graphql-response+json; charset=utf-8";
        await serializer.WriteAsync(httpContext.Response.Body, result, httpContext.RequestAborted);
    }
}
