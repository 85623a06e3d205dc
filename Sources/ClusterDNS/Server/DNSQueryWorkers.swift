/// Where the server's channel handlers hand questions to the `DNSQueryHandler`: the only place
/// that runs async code, so that NIO's event loops never wait for a handler.
///
/// One task, owned here and ended by `stop()`, reads the queue and answers each question in a
/// child task, at most `maximumConcurrent` at a time. The queue holds at most `queueLimit`
/// questions; `submit` refuses more (the UDP handler then drops the query, as an overloaded
/// server does; the TCP handler answers SERVFAIL). Answers go to each job's `deliver`, called
/// from the child task.
final class DNSQueryWorkers: Sendable {
    struct Job: Sendable {
        var question: DNSQuestion
        var client: String?
        var deliver: @Sendable (DNSAnswer) -> Void
    }

    private let queue: AsyncStream<Job>.Continuation
    private let worker: Task<Void, Never>

    init(handler: some DNSQueryHandler, maximumConcurrent: Int, queueLimit: Int) {
        let (jobs, queue) = AsyncStream.makeStream(of: Job.self, bufferingPolicy: .bufferingOldest(queueLimit))
        self.queue = queue
        let concurrency = max(1, maximumConcurrent)
        worker = Task {
            await withTaskGroup(of: Void.self) { group in
                var running = 0
                for await job in jobs {
                    if running >= concurrency, await group.next() != nil { running -= 1 }
                    group.addTask {
                        job.deliver(await handler.answer(job.question, from: job.client))
                    }
                    running += 1
                }
            }
        }
    }

    /// Queues a question; false if the queue is full or the workers have stopped.
    func submit(_ job: Job) -> Bool {
        if case .enqueued = queue.yield(job) { return true }
        return false
    }

    /// Drops queued questions, cancels the handler calls in flight and waits for them to end.
    func stop() async {
        queue.finish()
        worker.cancel()
        await worker.value
    }
}
