using Matcha.Accounts.Sessions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Matcha.Accounts.Deletion;

/// <summary>
/// An access token cannot be recalled, so the gateway refuses every write of a deleted
/// account's still-valid tokens: it looks for this key (see Matcha.Gateway's
/// <c>DeletedAccountWrites</c>). The key outlives any token issued before the deletion.
/// </summary>
internal sealed partial class AccessTokenDenial(IConnectionMultiplexer redis, IOptions<TokenOptions> tokens, ILogger<AccessTokenDenial> logger)
{
    public const string KeyPrefix = "matcha:deleted-users:";

    /// <summary>False when Redis could not be reached; the orchestrator tries again.</summary>
    public async Task<bool> TryDenyAsync(Guid userId)
    {
        try
        {
            var lifetime = tokens.Value.AccessTokenLifetime + TimeSpan.FromMinutes(1);
            await redis.GetDatabase().StringSetAsync(KeyPrefix + userId, "deleted", lifetime);
            return true;
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            LogDenyFailed(ex, userId);
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not tell the gateway that user {UserId} is deleted; trying again")]
    private partial void LogDenyFailed(Exception exception, Guid userId);
}
