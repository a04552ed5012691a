using Matcha.Accounts.Data;
using MailKit.Net.Smtp;
using MailKit.Security;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using MimeKit;

namespace Matcha.Accounts.Mail;

/// <summary>
/// Delivers <see cref="OutgoingMail"/> rows over SMTP and deletes each once the server accepted
/// it; a failure pushes the row's next attempt back (up to a minute) and it is tried again, so
/// no promised mail is lost to a server that was down. Rows are claimed with
/// <c>FOR UPDATE SKIP LOCKED</c>, so replicas never send the same mail at once. A mail whose
/// deletion fails after the server took it is sent again: at least once, never zero times.
/// </summary>
internal sealed partial class MailSender(
    IServiceScopeFactory scopes, MailSignal signal, IOptions<MailOptions> options, TimeProvider clock, ILogger<MailSender> logger)
    : BackgroundService
{
    private const int BatchSize = 20;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            int sent;
            try
            {
                sent = await SendBatchAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                LogBatchFailed(ex);
                sent = 0;
            }
            if (sent < BatchSize)
            {
                await signal.WaitAsync(options.Value.PollInterval, stoppingToken);
            }
        }
    }

    private async Task<int> SendBatchAsync(CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<AccountsDbContext>();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        var now = clock.GetUtcNow();
        var due = await db.OutgoingMails
            .FromSql($"select * from outgoing_mails where next_attempt_at <= {now} order by id limit {BatchSize} for update skip locked")
            .ToListAsync(cancellationToken);
        if (due.Count == 0)
        {
            return 0;
        }

        var settings = options.Value;
        using var smtp = new SmtpClient();
        try
        {
            await smtp.ConnectAsync(settings.SmtpHost, settings.SmtpPort, SecureSocketOptions.None, cancellationToken);
            foreach (var mail in due)
            {
                await smtp.SendAsync(ToMessage(mail, settings), cancellationToken);
                db.OutgoingMails.Remove(mail);
            }
            await smtp.DisconnectAsync(true, cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            foreach (var mail in due.Where(m => db.Entry(m).State != EntityState.Deleted))
            {
                mail.Attempts++;
                mail.NextAttemptAt = now + TimeSpan.FromSeconds(Math.Min(60, 1 << Math.Min(mail.Attempts, 6)));
            }
            LogSendFailed(ex, settings.SmtpHost, settings.SmtpPort);
        }
        await db.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return due.Count;
    }

    private static MimeMessage ToMessage(OutgoingMail mail, MailOptions settings)
    {
        var message = new MimeMessage();
        message.From.Add(MailboxAddress.Parse(settings.From));
        message.To.Add(MailboxAddress.Parse(mail.To));
        message.Subject = mail.Subject;
        message.Body = new TextPart("plain") { Text = mail.Body };
        return message;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Sending mail through {Host}:{Port} failed; it is tried again")]
    private partial void LogSendFailed(Exception exception, string host, int port);

    [LoggerMessage(Level = LogLevel.Error, Message = "A batch of outgoing mail could not be read or updated")]
    private partial void LogBatchFailed(Exception exception);
}

/// <summary>Wakes <see cref="MailSender"/> when a request has just stored mail, so it goes out at once rather than at the next poll.</summary>
internal sealed class MailSignal : IDisposable
{
    private readonly SemaphoreSlim signal = new(0, 1);

    public void Notify()
    {
        try
        {
            signal.Release();
        }
        catch (SemaphoreFullException)
        {
            // Already signalled.
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
    {
        try
        {
            await signal.WaitAsync(timeout, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Stopping.
        }
    }

    public void Dispose() => signal.Dispose();
}
