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

/// <summary>
/// Counts failed sign-ins per account and per client address in Redis, so every Accounts
/// replica sees the same numbers. A counter starts its window at its first failure.
/// </summary>
internal sealed class LoginThrottle(IConnectionMultiplexer redis, IOptions<LoginThrottleOptions> options)
{
    private const string Prefix = "matcha:accounts:login-failures:";

    // INCR and the window's expiry in one step: a counter can never be left without an expiry.
    private static readonly LuaScript Increment = LuaScript.Prepare(
        "local n = redis.call('INCR', @key) if n == 1 then redis.call('PEXPIRE', @key, @window) end return n");

    /// <summary>How long the caller must wait, or null when a sign-in may be tried.</summary>
    public async Task<TimeSpan?> RetryAfterAsync(string email, IPAddress? address)
    {
        var db = redis.GetDatabase();
        var limits = options.Value;
        var account = await RemainingAsync(db, AccountKey(email), limits.MaxFailuresPerAccount);
        var client = await RemainingAsync(db, AddressKey(address), limits.MaxFailuresPerAddress);
        return (account, client) switch
        {
            (null, null) => null,
            ({ } a, { } c) => a > c ? a : c,
            _ => account ?? client,
        };
    }

    /// <summary>Counts one failure; answers how long to hold the reply (slowing guessing before refusing it).</summary>
    public async Task<TimeSpan> RecordFailureAsync(string email, IPAddress? address)
    {
        var db = redis.GetDatabase();
        var window = (long)options.Value.Window.TotalMilliseconds;
        var failures = (long)await Increment.EvaluateAsync(db, new { key = (RedisKey)AccountKey(email), window });
        await Increment.EvaluateAsync(db, new { key = (RedisKey)AddressKey(address), window });
        return failures >= options.Value.SlowDownAfter ? options.Value.SlowDown : TimeSpan.Zero;
    }

    public Task ForgetAccountFailuresAsync(string email) => redis.GetDatabase().KeyDeleteAsync(AccountKey(email));

    private static async Task<TimeSpan?> RemainingAsync(IDatabase db, string key, int max)
    {
        var count = await db.StringGetAsync(key);
        if (!count.HasValue || (long)count < max)
        {
            return null;
        }
        return await db.KeyTimeToLiveAsync(key) ?? TimeSpan.FromSeconds(1);
    }

    // Emails are hashed so that Redis holds no personal data.
    private static string AccountKey(string email) =>
        Prefix + "account:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email)));

    private static string AddressKey(IPAddress? address) => Prefix + "address:" + (address?.ToString() ?? "unknown");
}
