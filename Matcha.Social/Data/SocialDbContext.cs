using Matcha.Data;
using Matcha.EventBus;
using Matcha.Social.Collections;
using Matcha.Social.Feed;
using Matcha.Social.Follows;
using Matcha.Social.Members;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matcha.Social.Data;

public sealed class SocialDbContext : DbContext
{
    public SocialDbContext(DbContextOptions<SocialDbContext> options) : base(options) => Database.ApplyContextDefaults();

    public DbSet<Member> Members => Set<Member>();
    public DbSet<Follow> Follows => Set<Follow>();
    public DbSet<Activity> Activities => Set<Activity>();
    public DbSet<Collection> Collections => Set<Collection>();
    public DbSet<CollectionFilm> CollectionFilms => Set<CollectionFilm>();
    public DbSet<CollectionLike> CollectionLikes => Set<CollectionLike>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Member>(member =>
        {
            member.HasKey(m => m.UserId);
            member.HasIndex(m => m.Handle).IsUnique();
            // The few private members, for the feed's anti-join (FeedApi.Public).
            member.HasIndex(m => m.UserId).HasFilter("is_private").HasDatabaseName("ix_members_private");
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
            // A collected film leaves the feed with its collection.
            activity.HasOne<Collection>().WithMany().HasForeignKey(a => a.CollectionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<Collection>(collection =>
        {
            collection.Property(c => c.Id).ValueGeneratedNever();
            collection.Property(c => c.Title).HasMaxLength(Collection.MaxTitleLength);
            collection.Property(c => c.Description).HasMaxLength(Collection.MaxDescriptionLength);
            // A member's list is read newest first by this index.
            collection.HasIndex(c => new { c.OwnerId, c.Id });
        });
        modelBuilder.Entity<CollectionFilm>(film =>
        {
            film.HasKey(f => new { f.CollectionId, f.MovieId });
            film.HasIndex(f => new { f.CollectionId, f.Position });
            film.HasOne<Collection>().WithMany().HasForeignKey(f => f.CollectionId).OnDelete(DeleteBehavior.Cascade);
        });
        modelBuilder.Entity<CollectionLike>(like =>
        {
            like.HasKey(l => new { l.CollectionId, l.UserId });
            like.HasIndex(l => l.UserId);
            like.HasOne<Collection>().WithMany().HasForeignKey(l => l.CollectionId).OnDelete(DeleteBehavior.Cascade);
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
