using GraphQL;
using GraphQL.Types;
using Matcha.Gateway.GraphQL;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Matcha.Tests.Gateway;

/// <summary>
/// The gateway's GraphQL schema as the repository publishes it (Matcha.Gateway/GraphQL/schema.graphql),
/// and the validation that needs no service: introspection only in Development. Built as the
/// gateway builds it (AddGraphQLApi), without starting anything.
/// </summary>
public sealed class GraphQLSchemaTests
{
    private const string IntrospectionQuery = "{ __schema { queryType { name } } }";

    [Fact]
    public void TheSchemaFileIsTheSchemaTheGatewayServes()
    {
        using var services = Services("Production");
        var printed = services.GetRequiredService<ISchema>().Print().ReplaceLineEndings("\n");
        var file = Path.Combine(Contracts.BreakingChangeTests.RepositoryRoot(), "Matcha.Gateway", "GraphQL", "schema.graphql");

        if (Environment.GetEnvironmentVariable("MATCHA_UPDATE_GRAPHQL_SCHEMA") == "1")
        {
            File.WriteAllText(file, printed);
        }

        Assert.True(File.Exists(file) && File.ReadAllText(file).ReplaceLineEndings("\n") == printed,
            $"The schema changed and {file} was not updated: review the change, then run the test with MATCHA_UPDATE_GRAPHQL_SCHEMA=1 (docs/api-styles.md).");
    }

    [Fact]
    public async Task IntrospectionIsRefusedOutsideDevelopment()
    {
        using var services = Services("Production");

        var result = await ExecuteAsync(services, IntrospectionQuery);

        Assert.False(result.Executed);
        Assert.Contains("ntrospection", Assert.Single(result.Errors!).Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task IntrospectionAnswersInDevelopment()
    {
        using var services = Services("Development");

        var result = await ExecuteAsync(services, IntrospectionQuery);

        Assert.True(result.Executed);
        Assert.Null(result.Errors);
    }

    private static ServiceProvider Services(string environment)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.AddGraphQLApi();
        return builder.Services.BuildServiceProvider();
    }

    private static async Task<ExecutionResult> ExecuteAsync(IServiceProvider services, string query)
    {
        using var scope = services.CreateScope();
        return await scope.ServiceProvider.GetRequiredService<IDocumentExecuter<ISchema>>().ExecuteAsync(new ExecutionOptions
        {
            Query = query,
            RequestServices = scope.ServiceProvider,
            User = new System.Security.Claims.ClaimsPrincipal(),
        });
    }
}
