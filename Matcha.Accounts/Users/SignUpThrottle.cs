using System.ComponentModel.DataAnnotations;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Matcha.Accounts.Sessions;
using Microsoft.Extensions.Options;
using StackExchange.Redis;

namespace Matcha.Accounts.Users;

public sealed class SignUpThrottleOptions
{
    public const string Section = "Accounts:SignUpThrottle";

    /// <summary>Sign-ups from one client address within <see cref="Window"/>.</summary>
    [Range(1, 1_000_000)]
    public int MaxPerAddress { get; set; } = 10;

    /// <summary>Sign-ups for one email within <see cref="Window"/>, taken or not (so the limit tells nothing).</summary>
    [Range(1, 1000)]
    public int MaxPerEmail { get; set; } = 3;

    public TimeSpan Window { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>
/// Bounds sign-ups per client address and per email in Redis, counted atomically before the
/// password is hashed (each sign-up costs an Argon2id hash, and makes an account).
/// </summary>
internal sealed class SignUpThrottle(IConnectionMultiplexer redis, IOptions<SignUpThrottleOptions> options)
{
    private const string Prefix = "matcha:accounts:signups:";

    /// <summary>Null when the sign-up may go ahead (it is counted), else how long to wait.</summary>
    public async Task<TimeSpan?> TryBeginAsync(string email, IPAddress? address)
    {
        var db = redis.GetDatabase();
        var limits = options.Value;
        var window = (long)limits.Window.TotalMilliseconds;
        var client = await LoginThrottle.ReserveAsync(db, Prefix + "address:" + (address?.ToString() ?? "unknown"), limits.MaxPerAddress, window);
        if (client < 0)
        {
            return TimeSpan.FromMilliseconds(-client);
        }
        var account = await LoginThrottle.ReserveAsync(db, Prefix + "email:" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(email))), limits.MaxPerEmail, window);
        return account < 0 ? TimeSpan.FromMilliseconds(-account) : null;
    }
}
