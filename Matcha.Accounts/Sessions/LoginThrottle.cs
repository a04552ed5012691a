using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Matcha.Accounts.Sessions;

public sealed class LoginThrottleOptions
{
    public const string Section = "Accounts:LoginThrottle";

    /// <summary>Failed sign-ins for one email within <see cref="Window"/> before that email is refused.</summary>
    [Range(1, 1000)]
    public int MaxFailuresPerAccount { get; set; } = 5;

    /// <summary>Failed sign-ins from one client address within <see cref="Window"/> before it is refused.</summary>
    [Range(1, 10_000)]
    public int MaxFailuresPerAddress { get; set; } = 20;

    /// <summary>From this many failures on, each further failure is answered only after <see cref="SlowDown"/>.</summary>
    [Range(1, 1000)]
    public int SlowDownAfter { get; set; } = 3;

    public TimeSpan SlowDown { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(15);
}

/// <summary>What <see cref="LoginThrottle.TryBeginAsync"/> decided: go ahead (this is the account's
/// <see cref="AccountAttempt"/>-th attempt in the window), or wait <see cref="RetryAfter"/>.</summary>
internal readonly record struct PasswordAttempt(TimeSpan? RetryAfter, long AccountAttempt);

/// <summary>
/// Limits password checks per account and per client address in Redis, so every Accounts replica
/// sees the same numbers. Every check is counted as a failure BEFORE the password is hashed, by
/// one atomic increment that refuses beyond the limit: concurrent guesses cannot all read "under
/// the limit" and then all be checked. A success takes its count back (and forgets the account's
/// failures). A counter starts its window at its first attempt. Sign-in and the password check of
/// <c>DELETE /me</c> share the counters.
/// </summary>
internal sealed class LoginThrottle(IConnectionMultiplexer redis, IOptions<LoginThrottleOptions> options)
{
    private const string Prefix = "matcha:accounts:login-failures:";

    // INCR with the window's expiry in one step, refused (and taken back) beyond the limit: the
    // answer is the attempt's number, or minus the milliseconds until the window ends.
    private static readonly LuaScript Reserve = LuaScript.Prepare("""
        local n = redis.call('INCR', @key)
        if n == 1 then redis.call('PEXPIRE', @key, @window) end
        if n > tonumber(@max) then
          redis.call('DECR', @key)
          local ttl = redis.call('PTTL', @key)
          if ttl < 1 then ttl = 1000 end
          return -ttl
        end
        return n
        """);

    // Takes one attempt back, never below zero and never onto a key whose window has ended.
    private static readonly LuaScript Release = LuaScript.Prepare(
        "local n = tonumber(redis.call('GET', @key) or '0') if n > 0 then return redis.call('DECR', @key) end return 0");

    /// <summary>One attempt counted under <paramref name="key"/>: its number, or minus the milliseconds to wait when over <paramref name="max"/>.</summary>
    internal static async Task<long> ReserveAsync(IDatabase db, string key, int max, long windowMilliseconds) =>
        (long)await Reserve.EvaluateAsync(db, new { key = (RedisKey)key, window = windowMilliseconds, max });

    /// <summary>Counts one password check for the account and the address, or refuses it (with how long to wait).</summary>
    public async Task<PasswordAttempt> TryBeginAsync(string email, IPAddress? address)
    {
        var db = redis.GetDatabase();
        var limits = options.Value;
        var window = (long)limits.Window.TotalMilliseconds;
        var account = await ReserveAsync(db, AccountKey(email), limits.MaxFailuresPerAccount, window);
        if (account < 0)
        {
            return new(TimeSpan.FromMilliseconds(-account), 0);
        }
        var client = await ReserveAsync(db, AddressKey(address), limits.MaxFailuresPerAddress, window);
        if (client < 0)
        {
            await Release.EvaluateAsync(db, new { key = (RedisKey)AccountKey(email) });
            return new(TimeSpan.FromMilliseconds(-client), 0);
        }
        return new(null, account);
    }

    /// <summary>The check failed (it is already counted): how long to hold the reply, slowing guessing before refusing it.</summary>
    public TimeSpan FailureDelay(PasswordAttempt attempt) =>
        attempt.AccountAttempt >= options.Value.SlowDownAfter ? options.Value.SlowDown : TimeSpan.Zero;

    /// <summary>The password was right: the account's failures are forgotten and the address's count taken back.</summary>
    public async Task SucceededAsync(string email, IPAddress? address)
    {
        var db = redis.GetDatabase();
        await db.KeyDeleteAsync(AccountKey(email));
        await Release.EvaluateAsync(db, new { key = (RedisKey)AddressKey(address) });
    }

    // Emails are hashed so that Redis holds no personal data.
    private static string AccountKey(string email) =>
        Prefix + "account:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));

    private static string AddressKey(IPAddress? address) => Prefix + "address:" + (address?.ToString() ?? "unknown");
}
