using Matcha.Accounts.Data;
using Matcha.Accounts.Deletion;
using Matcha.Accounts.Mail;
using Matcha.Accounts.Passwords;
using Matcha.Accounts.Sessions;
using Matcha.Accounts.SigningKeys;
using Matcha.Accounts.Users;
using System.Text.Json;
using System.Text.Json.Serialization;
using Matcha.Data;
using Matcha.EventBus;
using Microsoft.AspNetCore.HttpOverrides;
using OpenTelemetry.Trace;

namespace Matcha.Accounts;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddServiceDatabase<AccountsDbContext>("accountsdb");
        builder.AddServiceRedis();
        builder.AddInternalIdentity("accounts");
        builder.AddSigningKeys();
        builder.AddUsers();
        builder.AddMail();
        builder.AddSessions();
        builder.AddAccountDeletion();
    }

    /// <summary>The deletion saga: its commands leave through the outbox, its replies come in on their own stream.</summary>
    private static void AddAccountDeletion(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<DeletionOptions>().BindConfiguration(DeletionOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<AccessTokenDenial>();
        builder.Services.AddHostedService<DeletionOrchestrator>();
        builder.Services.ConfigureOpenTelemetryTracerProvider(tracing => tracing.AddSource(DeletionTelemetry.SourceName));
        builder.Services.ConfigureHttpJsonOptions(json =>
            json.SerializerOptions.Converters.Add(new JsonStringEnumConverter(JsonNamingPolicy.CamelCase)));
        builder.AddEventOutboxRelay<AccountsDbContext>("accountsdb");
        builder.AddEventSubscription<AccountsDbContext, DeletionRepliesApplier>(DeletionRepliesApplier.Subscription, DeletionTopics.Replies);
    }

    private static void AddUsers(this IHostApplicationBuilder builder)
    {
        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddOptions<SignUpThrottleOptions>().BindConfiguration(SignUpThrottleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<SignUpThrottle>();
        builder.Services.AddOptions<AdminBootstrapOptions>().BindConfiguration(AdminBootstrapOptions.Section);
        builder.Services.AddHostedService<AdminBootstrapper>();
    }

    /// <summary>Verification and notice mails: stored with the change they tell about, sent by <see cref="MailSender"/>.</summary>
    private static void AddMail(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<MailOptions>().BindConfiguration(MailOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddSingleton<MailSignal>();
        builder.Services.AddHostedService<MailSender>();
    }

    private static void AddSessions(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<TokenOptions>().BindConfiguration(TokenOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LoginThrottleOptions>().BindConfiguration(LoginThrottleOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddScoped<AccessTokenIssuer>();
        builder.Services.AddScoped<SessionStore>();
        builder.Services.AddSingleton<LoginThrottle>();

        // The gateway sets X-Forwarded-For to the client's address; only a proxy on the
        // configured networks (loopback by default) is believed, for the sign-in throttle.
        builder.Services.Configure<ForwardedHeadersOptions>(o => o.ForwardedHeaders = ForwardedHeaders.XForwardedFor);
    }
}
