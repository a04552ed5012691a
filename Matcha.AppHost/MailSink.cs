namespace Matcha.AppHost;

internal static class MailSink
{
    public const string HttpEndpoint = "http";
    public const string SmtpEndpoint = "smtp";

    /// <summary>
    /// smtp4dev as a local process (installed into .tools/smtp4dev by eng/install-smtp4dev.sh):
    /// it accepts every mail over SMTP and keeps it in memory, shown in its web UI (linked from
    /// the dashboard) and readable over its REST API (<c>/api/messages</c>), which tests use to
    /// follow verification links. No mail leaves the machine.
    /// </summary>
    /// <remarks>
    /// A deployment has its own SMTP relay, so a published model (deploy/k8s) has no sink:
    /// <see langword="null"/>, and Accounts takes the relay from the <c>smtp-host</c> and <c>smtp-port</c> parameters.
    /// </remarks>
    public static IResourceBuilder<ExecutableResource>? AddMailSink(this IDistributedApplicationBuilder builder, string name)
    {
        if (builder.ExecutionContext.IsPublishMode)
        {
            return null;
        }
        var repository = Path.GetFullPath(Path.Combine(builder.AppHostDirectory, ".."));
        var executable = Path.Combine(repository, ".tools", "smtp4dev", "smtp4dev");
        if (!File.Exists(executable))
        {
            throw new InvalidOperationException($"The mail sink is not installed: {executable} is missing. Run ./eng/install-smtp4dev.sh (or ./eng/install-prerequisites.sh).");
        }

        var sink = builder.AddExecutable(name, executable, repository);
        var http = sink.GetEndpoint(HttpEndpoint);
        var smtp = sink.GetEndpoint(SmtpEndpoint);
        return sink
            .WithHttpEndpoint(name: HttpEndpoint)
            .WithEndpoint(name: SmtpEndpoint, scheme: "tcp")
            .WithArgs(context =>
            {
                context.Args.Add(ReferenceExpression.Create($"--urls=http://127.0.0.1:{http.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add(ReferenceExpression.Create($"--smtpport={smtp.Property(EndpointProperty.TargetPort)}"));
                context.Args.Add("--db=");            // in memory: mail is gone when the AppHost stops
                context.Args.Add("--imapport=");
                context.Args.Add("--pop3port=");
                context.Args.Add("--hostname=localhost");
                context.Args.Add("--messagestokeep=100000");
                context.Args.Add("--nousersettings");
            })
            // A development tool whose start is what counts: no dynamic PGO, as for the AppHost (docs/running.md).
            .WithEnvironment("DOTNET_TieredPGO", "0")
            .WithUrlForEndpoint(HttpEndpoint, url => url.DisplayText = "Mail sink (smtp4dev)")
            .WithHttpHealthCheck("/api/messages", endpointName: HttpEndpoint)
            .WithIconName("Mail");
    }

    /// <summary>
    /// Accounts sends through the sink, with links that point to the web app. It does not wait for
    /// the sink to start: mail goes through Accounts' outbox, which retries until the server
    /// answers, and smtp4dev was the slowest resource to start (docs/running.md).
    /// </summary>
    public static IResourceBuilder<ProjectResource> WithMailSink(
        this IResourceBuilder<ProjectResource> service, IResourceBuilder<ExecutableResource>? sink)
    {
        if (sink is null)
        {
            var builder = service.ApplicationBuilder;
            return service
                .WithEnvironment("Accounts__Mail__SmtpHost", builder.AddParameter("smtp-host", "smtp", publishValueAsDefault: true))
                .WithEnvironment("Accounts__Mail__SmtpPort", builder.AddParameter("smtp-port", "25", publishValueAsDefault: true));
        }
        var smtp = sink.GetEndpoint(SmtpEndpoint);
        return service
            .WithEnvironment("Accounts__Mail__SmtpHost", smtp.Property(EndpointProperty.Host))
            .WithEnvironment("Accounts__Mail__SmtpPort", smtp.Property(EndpointProperty.Port));
    }
}
