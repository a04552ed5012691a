using Matcha.Data;
using Matcha.EventBus;
using Matcha.Ratings.Authors;
using Matcha.Ratings.Comments;
using Matcha.Ratings.Movies;
using Matcha.Ratings.Profiles;
using Matcha.Ratings.RateToStart;
using Matcha.Ratings.Ratings;
using Matcha.Ratings.Recommendations.Serving;
using Matcha.Ratings.Wishlist;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matcha.Ratings.Data;

public sealed class RatingsDbContext : DbContext
{
    public RatingsDbContext(DbContextOptions<RatingsDbContext> options) : base(options) => Database.ApplyContextDefaults();

    public DbSet<Movie> Movies => Set<Movie>();
    public DbSet<Rating> Ratings => Set<Rating>();
    public DbSet<WishlistEntry> WishlistEntries => Set<WishlistEntry>();
    public DbSet<Comment> Comments => Set<Comment>();
    public DbSet<CommentLike> CommentLikes => Set<CommentLike>();
    public DbSet<StoredModel> StoredModels => Set<StoredModel>();
    public DbSet<Author> Authors => Set<Author>();
    public DbSet<UnseenFilm> UnseenFilms => Set<UnseenFilm>();
    public DbSet<ProfilePrivacy> ProfilePrivacies => Set<ProfilePrivacy>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Movie>(movie =>
        {
            movie.Property(m => m.Id).ValueGeneratedNever();
            movie.ComplexCollection(m => m.Directors, people => people.ToJson());
            movie.ComplexCollection(m => m.Cast, people => people.ToJson());
        });
        modelBuilder.Entity<Rating>(rating =>
        {
            rating.HasKey(r => new { r.UserId, r.MovieId });
            rating.Property(r => r.Score).HasPrecision(2, 1);
            rating.Property(r => r.RejectedReason).HasMaxLength(300);
            rating.HasIndex(r => new { r.UserId, r.UpdatedAt, r.MovieId });
            rating.HasIndex(r => r.MovieId);
        });
        modelBuilder.Entity<WishlistEntry>(wish =>
        {
            wish.HasKey(w => new { w.UserId, w.MovieId });
            wish.Property(w => w.State).HasConversion<string>().HasMaxLength(20);
            wish.HasIndex(w => new { w.UserId, w.UpdatedAt, w.MovieId });
        });
        modelBuilder.Entity<Comment>(comment =>
        {
            comment.Property(c => c.Text).HasMaxLength(Comment.MaxTextLength);
            comment.HasIndex(c => new { c.MovieId, c.UserId }).IsUnique();
            comment.HasIndex(c => new { c.MovieId, c.Id });
            comment.HasIndex(c => new { c.MovieId, c.LikeCount, c.Id });
            comment.HasIndex(c => new { c.UserId, c.Id });
        });
        modelBuilder.Entity<CommentLike>(like =>
        {
            like.HasKey(l => new { l.CommentId, l.UserId });
        });
        modelBuilder.Entity<Author>(author =>
        {
            author.HasKey(a => a.UserId);
            author.Property(a => a.DisplayName).HasMaxLength(Author.MaxDisplayNameLength);
            author.HasIndex(a => a.Handle).IsUnique();
        });
        modelBuilder.Entity<UnseenFilm>(unseen =>
        {
            unseen.HasKey(u => new { u.UserId, u.MovieId });
        });
        modelBuilder.Entity<ProfilePrivacy>(privacy =>
        {
            privacy.ToTable("profile_privacy");
            privacy.HasKey(p => p.UserId);
        });
        modelBuilder.Entity<StoredModel>(model =>
        {
            model.ToTable("recommendation_models");
            model.Property(m => m.Algorithm).HasMaxLength(20);
        });
        modelBuilder.AddEventOutbox();
        modelBuilder.AddEventInbox();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class RatingsDbContextFactory : IDesignTimeDbContextFactory<RatingsDbContext>
{
    public RatingsDbContext CreateDbContext(string[] args) => new(Database.DesignTimeOptions<RatingsDbContext>());
}
