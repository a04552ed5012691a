namespace Matcha.Accounts.SigningKeys;

internal static class SigningKeysExtensions
{
    public static IHostApplicationBuilder AddSigningKeys(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<SigningKeyOptions>()
            .BindConfiguration(SigningKeyOptions.Section)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.AddSingleton<SigningKeyProtector>();
        builder.Services.AddSingleton<SigningCredentialsCache>();
        builder.Services.AddScoped<SigningKeyStore>();
        builder.Services.AddHostedService<SigningKeyBootstrapper>();
        return builder;
    }

    public static IEndpointRouteBuilder MapJwksApi(this IEndpointRouteBuilder app)
    {
        app.MapGet("/.well-known/jwks.json", async (SigningKeyStore store, HttpContext context, CancellationToken cancellationToken) =>
            {
                context.Response.Headers.CacheControl = "public, max-age=300";
                return TypedResults.Ok(await store.GetPublishedKeysAsync(cancellationToken));
            })
            .WithTags("Keys")
            .WithSummary("The public keys that verify access tokens (current and recently retired).")
            .AllowAnonymous();

        app.MapPost("/signing-keys/rotate", async (SigningKeyStore store, CancellationToken cancellationToken) =>
                TypedResults.Ok(new RotatedKey(await store.RotateAsync(cancellationToken))))
            .WithTags("Keys")
            .WithSummary("Starts signing with a new key; the previous one stays published until its tokens expire.")
            .RequireAuthorization(policy => policy.RequireRole(InternalIdentity.AdminRole));
        return app;
    }

    public sealed record RotatedKey(string Kid);

    /// <summary>Runs after the migrator (hosted services start in registration order).</summary>
    private sealed class SigningKeyBootstrapper(IServiceScopeFactory scopes) : IHostedService
    {
        public async Task StartAsync(CancellationToken cancellationToken)
        {
            await using var scope = scopes.CreateAsyncScope();
            await scope.ServiceProvider.GetRequiredService<SigningKeyStore>().EnsureActiveKeyAsync(cancellationToken);
        }

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
    }
}
