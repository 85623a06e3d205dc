// core/v1 Event, as written by event recorders.

/// A report of something that happened to an object (core/v1 Event).
public struct Event: Resource, Hashable {
    public static let group = ""
    public static let version = "v1"
    public static let kind = "Event"
    public static let plural = "events"
    public static let isNamespaced = true

    /// APIVersion of the object; set to `Self.apiVersion` by the initialiser.
    public var apiVersion: String?
    /// Kind of the object; set to `Self.kind` by the initialiser.
    public var kind: String?
    /// Standard object metadata.
    public var metadata: ObjectMeta
    public var involvedObject: ObjectReference
    public var reason: String?
    public var message: String?
    public var source: EventSource?
    public var firstTimestamp: Time?
    public var lastTimestamp: Time?
    public var count: Int32?
    /// `Normal` or `Warning`.
    public var type: String?
    public var eventTime: MicroTime?
    public var series: EventSeries?
    public var action: String?
    public var related: ObjectReference?
    public var reportingComponent: String?
    public var reportingInstance: String?

    public init(
        metadata: ObjectMeta = ObjectMeta(),
        involvedObject: ObjectReference = ObjectReference(),
        reason: String? = nil,
        message: String? = nil,
        source: EventSource? = nil,
        firstTimestamp: Time? = nil,
        lastTimestamp: Time? = nil,
        count: Int32? = nil,
        type: String? = nil,
        eventTime: MicroTime? = nil,
        series: EventSeries? = nil,
        action: String? = nil,
        related: ObjectReference? = nil,
        reportingComponent: String? = nil,
        reportingInstance: String? = nil
    ) {
        self.apiVersion = Self.apiVersion
        self.kind = Self.kind
        self.metadata = metadata
        self.involvedObject = involvedObject
        self.reason = reason
        self.message = message
        self.source = source
        self.firstTimestamp = firstTimestamp
        self.lastTimestamp = lastTimestamp
        self.count = count
        self.type = type
        self.eventTime = eventTime
        self.series = series
        self.action = action
        self.related = related
        self.reportingComponent = reportingComponent
        self.reportingInstance = reportingInstance
    }

    private enum CodingKeys: String, CodingKey {
        case apiVersion, kind, metadata, involvedObject, reason, message, source, firstTimestamp, lastTimestamp, count, type, eventTime, series, action, related, reportingComponent, reportingInstance
    }

    // Members with defaults may be absent (list items omit apiVersion/kind; Go writes null
    // for nil slices), so they decode leniently instead of failing the whole object.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        self.apiVersion = try container.decodeIfPresent(String.self, forKey: .apiVersion)
        self.kind = try container.decodeIfPresent(String.self, forKey: .kind)
        self.metadata = try container.decodeIfPresent(ObjectMeta.self, forKey: .metadata) ?? ObjectMeta()
        self.involvedObject = try container.decodeIfPresent(ObjectReference.self, forKey: .involvedObject) ?? ObjectReference()
        self.reason = try container.decodeIfPresent(String.self, forKey: .reason)
        self.message = try container.decodeIfPresent(String.self, forKey: .message)
        self.source = try container.decodeIfPresent(EventSource.self, forKey: .source)
        self.firstTimestamp = try container.decodeIfPresent(Time.self, forKey: .firstTimestamp)
        self.lastTimestamp = try container.decodeIfPresent(Time.self, forKey: .lastTimestamp)
        self.count = try container.decodeIfPresent(Int32.self, forKey: .count)
        self.type = try container.decodeIfPresent(String.self, forKey: .type)
        self.eventTime = try container.decodeIfPresent(MicroTime.self, forKey: .eventTime)
        self.series = try container.decodeIfPresent(EventSeries.self, forKey: .series)
        self.action = try container.decodeIfPresent(String.self, forKey: .action)
        self.related = try container.decodeIfPresent(ObjectReference.self, forKey: .related)
        self.reportingComponent = try container.decodeIfPresent(String.self, forKey: .reportingComponent)
        self.reportingInstance = try container.decodeIfPresent(String.self, forKey: .reportingInstance)
    }
}

public struct EventSource: Codable, Sendable, Hashable {
    public var component: String?
    public var host: String?

    public init(
        component: String? = nil,
        host: String? = nil
    ) {
        self.component = component
        self.host = host
    }
}

public struct EventSeries: Codable, Sendable, Hashable {
    public var count: Int32?
    public var lastObservedTime: MicroTime?

    public init(
        count: Int32? = nil,
        lastObservedTime: MicroTime? = nil
    ) {
        self.count = count
        self.lastObservedTime = lastObservedTime
    }
}
