using Matcha.Data;
using Matcha.EventBus;
using Matcha.Social.Feed;
using Matcha.Social.Follows;
using Matcha.Social.Members;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matcha.Social.Data;

public sealed class SocialDbContext(DbContextOptions<SocialDbContext> options) : DbContext(options)
{
    public DbSet<Member> Members => Set<Member>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<Activity> Activities => Set<Activity>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Member>(member =>
        {
            member.HasKey(m => m.UserId);
            member.HasIndex(m => m.Handle).IsUnique();
            member.Property(m => m.DisplayName).HasMaxLength(Member.MaxDisplayNameLength);
        });
        modelBuilder.Entity<Follow>(follow =>
        {
            follow.HasKey(f => new { f.FollowerId, f.FolloweeId });
            // Both lists are read newest first by their own side: "who follows X", "whom X follows".
            follow.HasIndex(f => new { f.FolloweeId, f.Id });
            follow.HasIndex(f => new { f.FollowerId, f.Id });
            follow.Property(f => f.Id).UseIdentityAlwaysColumn();
        });
        modelBuilder.Entity<Activity>(activity =>
        {
            activity.Property(a => a.Kind).HasConversion<string>().HasMaxLength(20);
            activity.Property(a => a.Score).HasPrecision(2, 1);
            // The feed reads each followed member's newest activities by this index.
            activity.HasIndex(a => new { a.UserId, a.Id });
            activity.HasIndex(a => new { a.UserId, a.MovieId, a.Kind });
            activity.HasIndex(a => a.CommentId);
        });
        modelBuilder.AddEventOutbox();
        modelBuilder.AddEventInbox();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class SocialDbContextFactory : IDesignTimeDbContextFactory<SocialDbContext>
{
    public SocialDbContext CreateDbContext(string[] args) => new(Database.DesignTimeOptions<SocialDbContext>());
}
