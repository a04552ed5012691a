using Matcha.Accounts.Mail;

namespace Matcha.Accounts.Verification;

/// <summary>The two mails a sign-up can send: both go to the address given, so only its owner learns which.</summary>
internal static class AccountMails
{
    public static OutgoingMail VerifyEmail(string to, string displayName, string token, MailOptions options, DateTimeOffset now) =>
        New(to, "Confirm your email for Matcha", $"""
            Hello {displayName},

            Open this link to confirm your email and finish signing up for Matcha:

            {options.SiteUrl.TrimEnd('/')}/verify?token={token}

            The link works once, for {options.VerificationLifetime.TotalHours:0} hours. If you did not sign up, ignore this mail.
            """, now);

    public static OutgoingMail SomeoneTriedToSignUp(string to, MailOptions options, DateTimeOffset now) =>
        New(to, "Someone tried to sign up for Matcha with your email", $"""
            Someone tried to sign up for Matcha with this email address, which already has an account.
            Nothing about your account was changed.

            If it was you, sign in at {options.SiteUrl.TrimEnd('/')}/signin instead.
            """, now);

    private static OutgoingMail New(string to, string subject, string body, DateTimeOffset now) =>
        new() { To = to, Subject = subject, Body = body, CreatedAt = now, NextAttemptAt = now };
}
