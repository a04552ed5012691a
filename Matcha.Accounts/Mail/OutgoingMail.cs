namespace Matcha.Accounts.Mail;

/// <summary>
/// A mail that was promised to someone, written in the same transaction as the change it tells
/// about (an outbox for mail): a sign-up answered "check your email" has its mail stored, and
/// <see cref="MailSender"/> delivers it, retrying until the server takes it.
/// </summary>
public sealed class OutgoingMail
{
    public long Id { get; set; }
    public required string To { get; set; }
    public required string Subject { get; set; }
    public required string Body { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public int Attempts { get; set; }
    public DateTimeOffset NextAttemptAt { get; set; }
}
