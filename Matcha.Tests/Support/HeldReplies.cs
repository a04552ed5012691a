using System.Net;
using System.Net.Sockets;

namespace Matcha.Tests.Support;

/// <summary>
/// A TCP relay in the test process in front of a server (Postgres): what the client sends passes
/// at once, what the server answers passes only while the relay is not holding. Held, it makes
/// a slow reader for certain: the server has run the query on what it saw then, and the client
/// has not had the rows yet, so the test can change the data in between.
/// </summary>
public sealed class HeldReplies : IAsyncDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly CancellationTokenSource _stopping = new();
    private readonly List<TcpClient> _connections = [];
    private readonly Lock _gate = new();
    private TaskCompletionSource _released = Released();
    private TaskCompletionSource _replyWaiting = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly string _host;
    private readonly int _port;

    public HeldReplies(string host, int port)
    {
        (_host, _port) = (host, port);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    /// <summary>From now on, the server's replies wait; <see cref="ReplyWaitingAsync"/> says when one does.</summary>
    public void Hold()
    {
        lock (_gate)
        {
            _released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _replyWaiting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }

    public void Release()
    {
        lock (_gate)
        {
            _released.TrySetResult();
        }
    }

    public Task ReplyWaitingAsync()
    {
        lock (_gate)
        {
            return _replyWaiting.Task;
        }
    }

    private async Task AcceptAsync()
    {
        try
        {
            while (true)
            {
                var client = await _listener.AcceptTcpClientAsync(_stopping.Token);
                var server = new TcpClient();
                await server.ConnectAsync(_host, _port, _stopping.Token);
                lock (_connections)
                {
                    _connections.AddRange([client, server]);
                }
                _ = PumpAsync(client.GetStream(), server.GetStream(), hold: false);
                _ = PumpAsync(server.GetStream(), client.GetStream(), hold: true);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or SocketException or ObjectDisposedException)
        {
        }
    }

    private async Task PumpAsync(Stream from, Stream to, bool hold)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            while (await from.ReadAsync(buffer, _stopping.Token) is var read and > 0)
            {
                if (hold)
                {
                    Task released;
                    lock (_gate)
                    {
                        released = _released.Task;
                        if (!released.IsCompleted)
                        {
                            _replyWaiting.TrySetResult();
                        }
                    }
                    await released.WaitAsync(_stopping.Token);
                }
                await to.WriteAsync(buffer.AsMemory(0, read), _stopping.Token);
            }
        }
        catch (Exception ex) when (ex is OperationCanceledException or IOException or ObjectDisposedException)
        {
        }
    }

    private static TaskCompletionSource Released()
    {
        var released = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        released.SetResult();
        return released;
    }

    public ValueTask DisposeAsync()
    {
        _stopping.Cancel();
        _listener.Stop();
        lock (_connections)
        {
            _connections.ForEach(c => c.Dispose());
        }
        _stopping.Dispose();
        return ValueTask.CompletedTask;
    }
}
