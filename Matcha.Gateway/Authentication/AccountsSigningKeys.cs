using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Matcha.Gateway.Authentication;

/// <summary>
/// Accounts' public keys by kid, from its JWKS (through service discovery). A token whose kid
/// is unknown makes the gateway fetch the JWKS before validating it, at most once per
/// <see cref="AccessTokenOptions.JwksMinimumRefreshInterval"/>, so a key rotation is picked up
/// at the first request that needs it and made-up kids cannot hammer Accounts. Keys come from
/// this one address only: a token's <c>jku</c> or <c>x5u</c> header is never followed.
/// </summary>
internal sealed partial class AccountsSigningKeys(
    IHttpClientFactory httpClients, IOptions<AccessTokenOptions> options, ValidatedTokens validated, TimeProvider clock, ILogger<AccountsSigningKeys> logger) : IDisposable
{
    private readonly SemaphoreSlim _fetching = new(1, 1);
    private volatile Dictionary<string, SecurityKey> _keys = [];
    private long _fetchedAtTicks = DateTimeOffset.MinValue.UtcTicks;

    private DateTimeOffset FetchedAt
    {
        get => new(Volatile.Read(ref _fetchedAtTicks), TimeSpan.Zero);
        set => Volatile.Write(ref _fetchedAtTicks, value.UtcTicks);
    }

    public IEnumerable<SecurityKey> Find(string? kid) =>
        kid is not null && _keys.TryGetValue(kid, out var key) ? [key] : [];

    /// <summary>Reads the kid of the bearer token, if any, and makes sure the keys can answer for it.</summary>
    public async Task PrepareForAsync(string? authorization, CancellationToken cancellationToken)
    {
        const string Bearer = "Bearer ";
        if (authorization is null || !authorization.StartsWith(Bearer, StringComparison.OrdinalIgnoreCase))
        {
            return;
        }
        var token = authorization[Bearer.Length..].Trim();
        if (validated.Contains(token))
        {
            return;   // its key was known when it was validated; nothing to fetch
        }
        var handler = new JsonWebTokenHandler();
        if (!handler.CanReadToken(token))
        {
            return;
        }
        string kid;
        try
        {
            kid = handler.ReadJsonWebToken(token).Kid;
        }
        catch (SecurityTokenMalformedException)
        {
            return;
        }

        var age = clock.GetUtcNow() - FetchedAt;
        var known = _keys.ContainsKey(kid);
        if ((known && age < options.Value.JwksRefreshInterval) || (!known && age < options.Value.JwksMinimumRefreshInterval))
        {
            return;
        }
        await FetchAsync(cancellationToken);
    }

    private async Task FetchAsync(CancellationToken cancellationToken)
    {
        var startedAt = clock.GetUtcNow();
        await _fetching.WaitAsync(cancellationToken);
        try
        {
            if (FetchedAt >= startedAt)
            {
                return;
            }
            var json = await httpClients.CreateClient(AccessTokenAuthentication.JwksClient).GetStringAsync(options.Value.JwksUri, cancellationToken);
            var previous = _keys;
            _keys = new JsonWebKeySet(json).GetSigningKeys()
                .Where(k => k.KeyId is not null)
                .ToDictionary(k => k.KeyId, k => k);
            if (previous.Keys.Any(kid => !_keys.ContainsKey(kid)))
            {
                validated.Clear();   // a withdrawn key: tokens it signed must not live on in the cache
            }
            FetchedAt = clock.GetUtcNow();
            LogFetched(_keys.Count);
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException or ArgumentException)
        {
            // Keep the keys we have; the next token that needs new ones tries again.
            FetchedAt = clock.GetUtcNow();
            LogFetchFailed(ex);
        }
        finally
        {
            _fetching.Release();
        }
    }

    public void Dispose() => _fetching.Dispose();

    [LoggerMessage(Level = LogLevel.Information, Message = "Fetched Accounts' signing keys: {Count} published")]
    private partial void LogFetched(int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not fetch Accounts' signing keys; keeping the previous ones")]
    private partial void LogFetchFailed(Exception exception);
}
