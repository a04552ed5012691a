using Matcha.Catalog.Movies;
using Matcha.Catalog.People;
using Matcha.Catalog.Seed;
using Matcha.Catalog.Statistics;
using Matcha.Data;
using Matcha.EventBus;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matcha.Catalog.Data;

public sealed partial class CatalogDbContext : DbContext
{
    public CatalogDbContext(DbContextOptions<CatalogDbContext> options) : base(options) => Database.ApplyContextDefaults();

    public DbSet<Movie> Movies => Set<Movie>();
    public DbSet<Person> People => Set<Person>();
    public DbSet<Credit> Credits => Set<Credit>();
    public DbSet<CatalogueLoad> CatalogueLoads => Set<CatalogueLoad>();
    public DbSet<CountedRating> CountedRatings => Set<CountedRating>();
    public DbSet<CountedComment> CountedComments => Set<CountedComment>();
    public DbSet<MovieActivity> MovieActivity => Set<MovieActivity>();
    public DbSet<RemovedMovie> RemovedMovies => Set<RemovedMovie>();
    public DbSet<MovieSortKeys> MovieSortKeys => Set<MovieSortKeys>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.HasPostgresExtension("pg_trgm");

        modelBuilder.Entity<Movie>(movie =>
        {
            movie.Property(m => m.OriginalTitle).HasMaxLength(Movie.MaxTitleLength);
            movie.Property(m => m.OriginalLanguage).HasMaxLength(8);
            movie.Property(m => m.Key).HasMaxLength(100);
            movie.Property(m => m.ImdbId).HasMaxLength(12);
            movie.Property(m => m.SynopsisEn).HasMaxLength(Movie.MaxSynopsisLength);
            movie.Property(m => m.SynopsisKo).HasMaxLength(Movie.MaxSynopsisLength);
            movie.Property(m => m.Version).IsConcurrencyToken();
            movie.OwnsMany(m => m.Titles, title =>
            {
                title.ToTable("movie_titles");
                title.Property(t => t.Language).HasMaxLength(8);
                title.Property(t => t.Title).HasMaxLength(Movie.MaxTitleLength);
            });
            movie.HasMany(m => m.Credits).WithOne().HasForeignKey(c => c.MovieId).OnDelete(DeleteBehavior.Cascade);

            movie.HasIndex(m => m.Key).IsUnique();
            movie.HasIndex(m => m.ImdbId).IsUnique();
            movie.HasIndex(m => m.TmdbId).IsUnique();
            movie.HasIndex(m => m.MovieLensId).IsUnique();

            // Search: substring and typo-tolerant matching use the trigram index.
            movie.HasIndex(m => m.SearchText).HasMethod("gin").HasOperators("gin_trgm_ops");
            movie.HasIndex(m => m.TitleKeys).HasMethod("gin");   // exact title: title_keys @> {query}

            // Browse: filters, and one index per keyset sort (value, id). The sorts by statistics
            // walk MovieSortKeys' indexes, so that no index here holds a column Ratings' events change.
            movie.HasIndex(m => m.Genres).HasMethod("gin");
            movie.HasIndex(m => m.Countries).HasMethod("gin");
            movie.HasIndex(m => new { m.SortTitle, m.Id });
            movie.HasIndex(m => new { m.Year, m.Id });
            // Room on each page for the statistics' HOT updates (the new version goes on the same page).
            movie.HasStorageParameter("fillfactor", 90);
        });

        modelBuilder.Entity<MovieSortKeys>(keys =>
        {
            keys.HasKey(k => k.MovieId);
            keys.Property(k => k.MovieId).ValueGeneratedNever();
            keys.HasOne(k => k.Movie).WithOne().HasForeignKey<MovieSortKeys>(k => k.MovieId).OnDelete(DeleteBehavior.Cascade);
            keys.HasIndex(k => new { k.AverageRating, k.MovieId });
            keys.HasIndex(k => new { k.RatingCount, k.MovieId });
            keys.HasIndex(k => new { k.Popularity, k.MovieId });
            // Two more in SQL (migration SortKeysOwnTable): search's prior and rate to start's votes.
        });

        modelBuilder.Entity<Person>(person =>
        {
            person.Property(p => p.Key).HasMaxLength(100);
            person.OwnsMany(p => p.Names, name =>
            {
                name.ToTable("person_names");
                name.Property(n => n.Language).HasMaxLength(8);
                name.Property(n => n.Name).HasMaxLength(200);
            });
            person.HasMany(p => p.Credits).WithOne(c => c.Person).HasForeignKey(c => c.PersonId).OnDelete(DeleteBehavior.Cascade);
            person.HasIndex(p => p.Key).IsUnique();
            person.HasIndex(p => p.SearchText).HasMethod("gin").HasOperators("gin_trgm_ops");
        });

        modelBuilder.Entity<Credit>(credit =>
        {
            credit.Property(c => c.Role).HasConversion<string>().HasMaxLength(16);
            credit.Property(c => c.Character).HasMaxLength(200);
            credit.HasIndex(c => new { c.MovieId, c.PersonId, c.Role }).IsUnique();
        });

        modelBuilder.Entity<CatalogueLoad>().HasKey(l => l.Version);

        modelBuilder.Entity<CountedRating>(rating =>
        {
            rating.HasKey(r => new { r.MovieId, r.UserId });
            rating.Property(r => r.Score).HasPrecision(2, 1);
        });
        modelBuilder.Entity<CountedComment>(comment =>
        {
            comment.HasKey(c => c.CommentId);
            comment.Property(c => c.CommentId).ValueGeneratedNever();
        });
        modelBuilder.Entity<MovieActivity>(activity =>
        {
            activity.HasKey(a => new { a.MovieId, a.Day });
            activity.HasIndex(a => a.Day);
        });
        modelBuilder.Entity<RemovedMovie>(removed =>
        {
            removed.HasKey(r => r.MovieId);
            removed.Property(r => r.MovieId).ValueGeneratedNever();
        });
        modelBuilder.AddEventOutbox();
        modelBuilder.AddEventInbox();
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class CatalogDbContextFactory : IDesignTimeDbContextFactory<CatalogDbContext>
{
    public CatalogDbContext CreateDbContext(string[] args) => new(Database.DesignTimeOptions<CatalogDbContext>());
}
