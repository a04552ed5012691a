using Matcha.Ratings.Comments;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Design;

namespace Matcha.Ratings.Data;

public sealed class RatingsDbContext(DbContextOptions<RatingsDbContext> options) : DbContext(options)
{
    public DbSet<Comment> Comments => Set<Comment>();

    protected override void OnModelCreating(ModelBuilder modelBuilder)
    {
        modelBuilder.Entity<Comment>(comment =>
        {
            comment.Property(c => c.Text).HasMaxLength(Comment.MaxTextLength);
            comment.HasIndex(c => new { c.MovieId, c.UserId }).IsUnique();
            comment.HasIndex(c => new { c.MovieId, c.Id });
        });
    }
}

/// <summary>Lets <c>dotnet ef migrations add</c> build the model without starting the service.</summary>
internal sealed class RatingsDbContextFactory : IDesignTimeDbContextFactory<RatingsDbContext>
{
    public RatingsDbContext CreateDbContext(string[] args) => new(Database.DesignTimeOptions<RatingsDbContext>());
}
