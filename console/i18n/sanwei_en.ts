<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
    <context>
        <name>AlarmPanel</name>
        <message>
            <source>Sound an alarm</source>
            <translation>Sound an alarm</translation>
        </message>
        <message>
            <source>Whole city</source>
            <translation>Whole city</translation>
        </message>
        <message>
            <source>Chosen districts</source>
            <translation>Chosen districts</translation>
        </message>
        <message>
            <source>Exercise (drill or test)</source>
            <translation>Exercise (drill or test)</translation>
        </message>
        <message>
            <source>Current alarm</source>
            <translation>Current alarm</translation>
        </message>
        <message>
            <source>No alarm issued. The board fills when the civil-defence officer sounds one with the buttons above (Pre-warning, Air raid, All clear).</source>
            <translation>No alarm issued. The board fills when the civil-defence officer sounds one with the buttons above (Pre-warning, Air raid, All clear).</translation>
        </message>
        <message>
            <source>Mute</source>
            <translation>Mute</translation>
        </message>
        <message>
            <source>Acknowledge for the district</source>
            <translation>Acknowledge for the district</translation>
        </message>
        <message>
            <source>Annual public test</source>
            <translation>Annual public test</translation>
        </message>
        <message>
            <source>Plan the test</source>
            <translation>Plan the test</translation>
        </message>
        <message>
            <source>Pre-warning 10:00, air raid 10:08, all clear 10:16</source>
            <translation>Pre-warning 10:00, air raid 10:08, all clear 10:16</translation>
        </message>
        <message>
            <source>No test planned.</source>
            <translation>No test planned.</translation>
        </message>
        <message>
            <source>District</source>
            <translation>District</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Sent</source>
            <translation>Sent</translation>
        </message>
        <message>
            <source>Received</source>
            <translation>Received</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>Acknowledged</translation>
        </message>
        <message>
            <source>Seconds</source>
            <translation>Seconds</translation>
        </message>
        <message>
            <source>Hook</source>
            <translation>Hook</translation>
        </message>
        <message>
            <source>Where</source>
            <translation>Where</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Attempts</source>
            <translation>Attempts</translation>
        </message>
        <message>
            <source>Last attempt</source>
            <translation>Last attempt</translation>
        </message>
        <message>
            <source>Detail</source>
            <translation>Detail</translation>
        </message>
        <message>
            <source>Tick at least one district, or choose the whole city.</source>
            <translation>Tick at least one district, or choose the whole city.</translation>
        </message>
        <message>
            <source>the whole city</source>
            <translation>the whole city</translation>
        </message>
        <message>
            <source>districts {codes}</source>
            <translation>districts {codes}</translation>
        </message>
        <message>
            <source>Alarm cancelled.</source>
            <translation>Alarm cancelled.</translation>
        </message>
        <message>
            <source>Only the civil-defence officer may sound alarms or plan the annual test; you are logged in as {role}.</source>
            <translation>Only the civil-defence officer may sound alarms or plan the annual test; you are logged in as {role}.</translation>
        </message>
        <message>
            <source>Alarm order {id} waits for a second civil-defence officer until {time}: they confirm it with their own password in the order's dialog (or from the orders in the status bar).</source>
            <translation>Alarm order {id} waits for a second civil-defence officer until {time}: they confirm it with their own password in the order's dialog (or from the orders in the status bar).</translation>
        </message>
        <message>
            <source>The alarm was not issued: {reason}</source>
            <translation>The alarm was not issued: {reason}</translation>
        </message>
        <message>
            <source>The board could not be read: {reason}</source>
            <translation>The board could not be read: {reason}</translation>
        </message>
        <message>
            <source>{signal} · alarm {id} · issued {time} by {actor}</source>
            <translation>{signal} · alarm {id} · issued {time} by {actor}</translation>
        </message>
        <message>
            <source>{acked} of {total} districts acknowledged.</source>
            <translation>{acked} of {total} districts acknowledged.</translation>
        </message>
        <message>
            <source>Not acknowledged within {limit:g} s: {codes}</source>
            <translation>Not acknowledged within {limit:g} s: {codes}</translation>
        </message>
        <message>
            <source>CAP alert: no outbound hook (alarm hook add).</source>
            <translation>CAP alert: no outbound hook (alarm hook add).</translation>
        </message>
        <message>
            <source>CAP alert {identifier}: delivered to {done} of {total} hooks.</source>
            <translation>CAP alert {identifier}: delivered to {done} of {total} hooks.</translation>
        </message>
        <message>
            <source>Signal finished.</source>
            <translation>Signal finished.</translation>
        </message>
        <message>
            <source>SOUNDING</source>
            <translation>SOUNDING</translation>
        </message>
        <message>
            <source>pause</source>
            <translation>pause</translation>
        </message>
        <message>
            <source>{phase} {phase_left} s · burst {burst} of {bursts} · cycle ends in {m}:{s:02d}</source>
            <translation>{phase} {phase_left} s · burst {burst} of {bursts} · cycle ends in {m}:{s:02d}</translation>
        </message>
        <message>
            <source>No alarm to acknowledge.</source>
            <translation>No alarm to acknowledge.</translation>
        </message>
        <message>
            <source>Select a district's row on the board.</source>
            <translation>Select a district's row on the board.</translation>
        </message>
        <message>
            <source>You act for district {own}; district {district} acknowledges its own delivery.</source>
            <translation>You act for district {own}; district {district} acknowledges its own delivery.</translation>
        </message>
        <message>
            <source>District {district} acknowledged at {time} ({by}).</source>
            <translation>District {district} acknowledged at {time} ({by}).</translation>
        </message>
        <message>
            <source>Recording the acknowledgement…</source>
            <translation>Recording the acknowledgement…</translation>
        </message>
        <message>
            <source>Acknowledge for district {district}</source>
            <translation>Acknowledge for district {district}</translation>
        </message>
        <message>
            <source>District {district} acknowledged at {time}, {seconds:.1f} s after sending.</source>
            <translation>District {district} acknowledged at {time}, {seconds:.1f} s after sending.</translation>
        </message>
        <message>
            <source>The acknowledgement was not recorded: {reason}</source>
            <translation>The acknowledgement was not recorded: {reason}</translation>
        </message>
        <message>
            <source>Unmute</source>
            <translation>Unmute</translation>
        </message>
        <message>
            <source>The test was not planned: {reason}</source>
            <translation>The test was not planned: {reason}</translation>
        </message>
    </context>
    <context>
        <name>AssetStatusPanel</name>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Set status</source>
            <translation>Set status</translation>
        </message>
        <message>
            <source>Note (optional, recorded in the journal)</source>
            <translation>Note (optional, recorded in the journal)</translation>
        </message>
        <message>
            <source>Status: {status}</source>
            <translation>Status: {status}</translation>
        </message>
        <message>
            <source>Your login may not change this status: {reason}</source>
            <translation>Your login may not change this status: {reason}</translation>
        </message>
        <message>
            <source>Saving the status…</source>
            <translation>Saving the status…</translation>
        </message>
        <message>
            <source>Choose a status other than the current one.</source>
            <translation>Choose a status other than the current one.</translation>
        </message>
        <message>
            <source>{id}: {before} → {after}, journal event {seq}.</source>
            <translation>{id}: {before} → {after}, journal event {seq}.</translation>
        </message>
        <message>
            <source>{id} was already {status}.</source>
            <translation>{id} was already {status}.</translation>
        </message>
        <message>
            <source>The status was not changed: {reason}</source>
            <translation>The status was not changed: {reason}</translation>
        </message>
    </context>
    <context>
        <name>AuditLabel</name>
        <message>
            <source>Audit: not yet checked</source>
            <translation>Audit: not yet checked</translation>
        </message>
        <message>
            <source>Audit: checking the journal…</source>
            <translation>Audit: checking the journal…</translation>
        </message>
        <message>
            <source>Audit OK · {events} events · {cases} cases</source>
            <translation>Audit OK · {events} events · {cases} cases</translation>
        </message>
        <message>
            <source>journal broken at event {seq}</source>
            <translation>journal broken at event {seq}</translation>
        </message>
        <message>
            <source>{count} cases differ</source>
            <translation>{count} cases differ</translation>
        </message>
        <message>
            <source>AUDIT FAILED: {what}</source>
            <translation>AUDIT FAILED: {what}</translation>
        </message>
        <message>
            <source>Checked at {time} in {seconds} s: {events} journal events, {cases} cases.</source>
            <translation>Checked at {time} in {seconds} s: {events} journal events, {cases} cases.</translation>
        </message>
        <message>
            <source>The journal is not as it was written from event {seq} on ({reason}).</source>
            <translation>The journal is not as it was written from event {seq} on ({reason}).</translation>
        </message>
        <message>
            <source>Cases that differ from their journal events: {ids}</source>
            <translation>Cases that differ from their journal events: {ids}</translation>
        </message>
        <message>
            <source> and {count} more</source>
            <translation> and {count} more</translation>
        </message>
        <message>
            <source>Full list: python main.py audit verify</source>
            <translation>Full list: python main.py audit verify</translation>
        </message>
        <message>
            <source>Audit could not run: {error}</source>
            <translation>Audit could not run: {error}</translation>
        </message>
    </context>
    <context>
        <name>CameraPlaces</name>
        <message>
            <source>Road</source>
            <translation>Road</translation>
        </message>
        <message>
            <source>Square</source>
            <translation>Square</translation>
        </message>
        <message>
            <source>Park</source>
            <translation>Park</translation>
        </message>
    </context>
    <context>
        <name>CameraStatuses</name>
        <message>
            <source>Online</source>
            <translation>Online</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>Offline</translation>
        </message>
        <message>
            <source>Fault</source>
            <translation>Fault</translation>
        </message>
    </context>
    <context>
        <name>Capabilities</name>
        <message>
            <source>Fire fighting</source>
            <translation>Fire fighting</translation>
        </message>
        <message>
            <source>Technical rescue</source>
            <translation>Technical rescue</translation>
        </message>
        <message>
            <source>Search and rescue</source>
            <translation>Search and rescue</translation>
        </message>
        <message>
            <source>Hazardous materials</source>
            <translation>Hazardous materials</translation>
        </message>
        <message>
            <source>Ambulance</source>
            <translation>Ambulance</translation>
        </message>
        <message>
            <source>Police</source>
            <translation>Police</translation>
        </message>
        <message>
            <source>Gas repair</source>
            <translation>Gas repair</translation>
        </message>
        <message>
            <source>Water repair</source>
            <translation>Water repair</translation>
        </message>
        <message>
            <source>Heating repair</source>
            <translation>Heating repair</translation>
        </message>
        <message>
            <source>Power repair</source>
            <translation>Power repair</translation>
        </message>
        <message>
            <source>Pumping</source>
            <translation>Pumping</translation>
        </message>
        <message>
            <source>Road repair</source>
            <translation>Road repair</translation>
        </message>
        <message>
            <source>Heavy equipment</source>
            <translation>Heavy equipment</translation>
        </message>
        <message>
            <source>Transport</source>
            <translation>Transport</translation>
        </message>
        <message>
            <source>Supplies</source>
            <translation>Supplies</translation>
        </message>
    </context>
    <context>
        <name>CaseActionDialog</name>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>working days</source>
            <translation>working days</translation>
        </message>
        <message>
            <source>working hours</source>
            <translation>working hours</translation>
        </message>
        <message>
            <source>Extension asked for</source>
            <translation>Extension asked for</translation>
        </message>
        <message>
            <source>Citizen's satisfaction</source>
            <translation>Citizen's satisfaction</translation>
        </message>
        <message>
            <source>Required: say why</source>
            <translation>Required: say why</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
    </context>
    <context>
        <name>CaseActions</name>
        <message>
            <source>Report</source>
            <translation>Report</translation>
        </message>
        <message>
            <source>Accept</source>
            <translation>Accept</translation>
        </message>
        <message>
            <source>Send to verify</source>
            <translation>Send to verify</translation>
        </message>
        <message>
            <source>Fixed on the spot</source>
            <translation>Fixed on the spot</translation>
        </message>
        <message>
            <source>Confirm on site</source>
            <translation>Confirm on site</translation>
        </message>
        <message>
            <source>Not found on site</source>
            <translation>Not found on site</translation>
        </message>
        <message>
            <source>Approve self-fix</source>
            <translation>Approve self-fix</translation>
        </message>
        <message>
            <source>Reject self-fix</source>
            <translation>Reject self-fix</translation>
        </message>
        <message>
            <source>File</source>
            <translation>File</translation>
        </message>
        <message>
            <source>Void</source>
            <translation>Void</translation>
        </message>
        <message>
            <source>Dispatch</source>
            <translation>Dispatch</translation>
        </message>
        <message>
            <source>Start handling</source>
            <translation>Start handling</translation>
        </message>
        <message>
            <source>Report done</source>
            <translation>Report done</translation>
        </message>
        <message>
            <source>Ask for extension</source>
            <translation>Ask for extension</translation>
        </message>
        <message>
            <source>Ask to return</source>
            <translation>Ask to return</translation>
        </message>
        <message>
            <source>Ask to suspend</source>
            <translation>Ask to suspend</translation>
        </message>
        <message>
            <source>Approve extension</source>
            <translation>Approve extension</translation>
        </message>
        <message>
            <source>Reject extension</source>
            <translation>Reject extension</translation>
        </message>
        <message>
            <source>Approve return</source>
            <translation>Approve return</translation>
        </message>
        <message>
            <source>Reject return</source>
            <translation>Reject return</translation>
        </message>
        <message>
            <source>Approve suspension</source>
            <translation>Approve suspension</translation>
        </message>
        <message>
            <source>Reject suspension</source>
            <translation>Reject suspension</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>Resume</translation>
        </message>
        <message>
            <source>Close as special</source>
            <translation>Close as special</translation>
        </message>
        <message>
            <source>Send to check</source>
            <translation>Send to check</translation>
        </message>
        <message>
            <source>Check passed</source>
            <translation>Check passed</translation>
        </message>
        <message>
            <source>Check failed</source>
            <translation>Check failed</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Send for rework</source>
            <translation>Send for rework</translation>
        </message>
        <message>
            <source>Record satisfaction</source>
            <translation>Record satisfaction</translation>
        </message>
        <message>
            <source>Close in error</source>
            <translation>Close in error</translation>
        </message>
        <message>
            <source>Unlink duplicate</source>
            <translation>Unlink duplicate</translation>
        </message>
        <message>
            <source>Imported history</source>
            <translation>Imported history</translation>
        </message>
        <message>
            <source>Escalated to an incident</source>
            <translation>Escalated to an incident</translation>
        </message>
    </context>
    <context>
        <name>CaseChannels</name>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>Camera</translation>
        </message>
        <message>
            <source>12319 hotline</source>
            <translation>12319 hotline</translation>
        </message>
        <message>
            <source>Internet</source>
            <translation>Internet</translation>
        </message>
        <message>
            <source>Patrol vehicle</source>
            <translation>Patrol vehicle</translation>
        </message>
        <message>
            <source>Media</source>
            <translation>Media</translation>
        </message>
    </context>
    <context>
        <name>CaseClosureKinds</name>
        <message>
            <source>Normal</source>
            <translation>Normal</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>In error</source>
            <translation>In error</translation>
        </message>
        <message>
            <source>Special</source>
            <translation>Special</translation>
        </message>
    </context>
    <context>
        <name>CaseKinds</name>
        <message>
            <source>Event</source>
            <translation>Event</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>Component</translation>
        </message>
    </context>
    <context>
        <name>CaseLayer</name>
        <message>
            <source>Reported / awaiting verification</source>
            <translation>Reported / awaiting verification</translation>
        </message>
        <message>
            <source>Accepted / filed, awaiting dispatch</source>
            <translation>Accepted / filed, awaiting dispatch</translation>
        </message>
        <message>
            <source>Dispatched / in handling</source>
            <translation>Dispatched / in handling</translation>
        </message>
        <message>
            <source>Suspended</source>
            <translation>Suspended</translation>
        </message>
        <message>
            <source>Fed back / awaiting check</source>
            <translation>Fed back / awaiting check</translation>
        </message>
        <message>
            <source>Case {id}</source>
            <translation>Case {id}</translation>
        </message>
        <message>
            <source>overdue</source>
            <translation>overdue</translation>
        </message>
        <message>
            <source>urgent</source>
            <translation>urgent</translation>
        </message>
    </context>
    <context>
        <name>CaseLayerTools</name>
        <message>
            <source>Open cases could not be read for the map: {reason}</source>
            <translation>Open cases could not be read for the map: {reason}</translation>
        </message>
    </context>
    <context>
        <name>CasePanel</name>
        <message>
            <source>No case selected</source>
            <translation>No case selected</translation>
        </message>
        <message>
            <source>Choose a case in the queue or on the map.</source>
            <translation>Choose a case in the queue or on the map.</translation>
        </message>
        <message>
            <source>Stage</source>
            <translation>Stage</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>Due</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>When</source>
            <translation>When</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>Who</translation>
        </message>
        <message>
            <source>What</source>
            <translation>What</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Details</source>
            <translation>Details</translation>
        </message>
        <message>
            <source>Clocks</source>
            <translation>Clocks</translation>
        </message>
        <message>
            <source>Timeline</source>
            <translation>Timeline</translation>
        </message>
        <message>
            <source>Case {id} does not exist</source>
            <translation>Case {id} does not exist</translation>
        </message>
        <message>
            <source>Case {id} · {type}</source>
            <translation>Case {id} · {type}</translation>
        </message>
        <message>
            <source>URGENT</source>
            <translation>URGENT</translation>
        </message>
        <message>
            <source>OVERDUE</source>
            <translation>OVERDUE</translation>
        </message>
        <message>
            <source>Your role ({role}) could act, but not on this case: {reason}</source>
            <translation>Your role ({role}) could act, but not on this case: {reason}</translation>
        </message>
        <message>
            <source>Your role ({role}) has no step to take on this case now.</source>
            <translation>Your role ({role}) has no step to take on this case now.</translation>
        </message>
        <message>
            <source>The case is finished: no further steps.</source>
            <translation>The case is finished: no further steps.</translation>
        </message>
        <message>
            <source>{mark} · made by exercise {id} ({title}): not a real report</source>
            <translation>{mark} · made by exercise {id} ({title}): not a real report</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Limit</source>
            <translation>Limit</translation>
        </message>
        <message>
            <source>Elapsed</source>
            <translation>Elapsed</translation>
        </message>
        <message>
            <source>Times in city time (UTC+8); a day name marks a day other than today. Working time counts the city's working hours only; natural time counts every minute.</source>
            <translation>Times in city time (UTC+8); a day name marks a day other than today. Working time counts the city's working hours only; natural time counts every minute.</translation>
        </message>
        <message>
            <source>ESCALATED</source>
            <translation>ESCALATED</translation>
        </message>
        <message>
            <source>Urgent</source>
            <translation>Urgent</translation>
        </message>
        <message>
            <source>yes</source>
            <translation>yes</translation>
        </message>
        <message>
            <source>no</source>
            <translation>no</translation>
        </message>
        <message>
            <source>Reported</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>Reporter</source>
            <translation>Reporter</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>Cell</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>Community</translation>
        </message>
        <message>
            <source>Street</source>
            <translation>Street</translation>
        </message>
        <message>
            <source>District</source>
            <translation>District</translation>
        </message>
        <message>
            <source>Responsible</source>
            <translation>Responsible</translation>
        </message>
        <message>
            <source>the district</source>
            <translation>the district</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>Component</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>Position</translation>
        </message>
        <message>
            <source>Handling deadline</source>
            <translation>Handling deadline</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Closure</source>
            <translation>Closure</translation>
        </message>
        <message>
            <source>Satisfaction</source>
            <translation>Satisfaction</translation>
        </message>
        <message>
            <source>Duplicate of</source>
            <translation>Duplicate of</translation>
        </message>
        <message>
            <source>Duplicates</source>
            <translation>Duplicates</translation>
        </message>
        <message>
            <source>Reworks · returns · extensions · suspensions</source>
            <translation>Reworks · returns · extensions · suspensions</translation>
        </message>
        <message>
            <source>Awaiting approval</source>
            <translation>Awaiting approval</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>Incident</translation>
        </message>
        <message>
            <source>Show incident #{id}</source>
            <translation>Show incident #{id}</translation>
        </message>
        <message>
            <source>{d} d {h} h</source>
            <translation>{d} d {h} h</translation>
        </message>
        <message>
            <source>{h} h {m} min</source>
            <translation>{h} h {m} min</translation>
        </message>
        <message>
            <source>{m} min</source>
            <translation>{m} min</translation>
        </message>
        <message>
            <source>{n} min</source>
            <translation>{n} min</translation>
        </message>
        <message>
            <source>{n} h</source>
            <translation>{n} h</translation>
        </message>
        <message>
            <source>{n} working days</source>
            <translation>{n} working days</translation>
        </message>
        <message>
            <source>{n} days</source>
            <translation>{n} days</translation>
        </message>
        <message>
            <source>working time</source>
            <translation>working time</translation>
        </message>
        <message>
            <source>natural time</source>
            <translation>natural time</translation>
        </message>
        <message>
            <source>stopped while suspended</source>
            <translation>stopped while suspended</translation>
        </message>
        <message>
            <source>done in {time}, late by {late}</source>
            <translation>done in {time}, late by {late}</translation>
        </message>
        <message>
            <source>done in {time}, on time</source>
            <translation>done in {time}, on time</translation>
        </message>
        <message>
            <source>ended by {action}: not charged</source>
            <translation>ended by {action}: not charged</translation>
        </message>
        <message>
            <source>attempt {n}: {state}</source>
            <translation>attempt {n}: {state}</translation>
        </message>
        <message>
            <source>{stage} ({n})</source>
            <translation>{stage} ({n})</translation>
        </message>
        <message>
            <source>{time} left</source>
            <translation>{time} left</translation>
        </message>
        <message>
            <source>overdue by {time}</source>
            <translation>overdue by {time}</translation>
        </message>
        <message>
            <source>Escalated to incident #{id}</source>
            <translation>Escalated to incident #{id}</translation>
        </message>
        <message>
            <source>{action}: {before} → {after}</source>
            <translation>{action}: {before} → {after}</translation>
        </message>
        <message>
            <source>{action}: {after}</source>
            <translation>{action}: {after}</translation>
        </message>
        <message>
            <source>{action} done: the case is now {state} (journal #{seq}).</source>
            <translation>{action} done: the case is now {state} (journal #{seq}).</translation>
        </message>
        <message>
            <source>Refused: {reason}</source>
            <translation>Refused: {reason}</translation>
        </message>
    </context>
    <context>
        <name>CaseQueueModel</name>
        <message>
            <source>Case</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>Reported</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>District / street</source>
            <translation>District / street</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Stage due</source>
            <translation>Stage due</translation>
        </message>
        <message>
            <source>Reporter</source>
            <translation>Reporter</translation>
        </message>
        <message>
            <source>An exercise's case, made by one of its injects: not a real report.</source>
            <translation>An exercise's case, made by one of its injects: not a real report.</translation>
        </message>
        <message>
            <source>The handling deadline has passed.</source>
            <translation>The handling deadline has passed.</translation>
        </message>
        <message>
            <source>This stage is past its due time.</source>
            <translation>This stage is past its due time.</translation>
        </message>
        <message>
            <source>(district)</source>
            <translation>(district)</translation>
        </message>
        <message>
            <source>OVERDUE {time}</source>
            <translation>OVERDUE {time}</translation>
        </message>
        <message>
            <source>late {time}</source>
            <translation>late {time}</translation>
        </message>
    </context>
    <context>
        <name>CaseQueuePanel</name>
        <message>
            <source>Any state</source>
            <translation>Any state</translation>
        </message>
        <message>
            <source>Any channel</source>
            <translation>Any channel</translation>
        </message>
        <message>
            <source>Overdue only</source>
            <translation>Overdue only</translation>
        </message>
        <message>
            <source>Case id or text…</source>
            <translation>Case id or text…</translation>
        </message>
        <message>
            <source>Any type</source>
            <translation>Any type</translation>
        </message>
        <message>
            <source>Any department</source>
            <translation>Any department</translation>
        </message>
        <message>
            <source>Any district</source>
            <translation>Any district</translation>
        </message>
        <message>
            <source>The case types could not be read: {error}</source>
            <translation>The case types could not be read: {error}</translation>
        </message>
        <message>
            <source>Searching…</source>
            <translation>Searching…</translation>
        </message>
        <message>
            <source>The queue could not be read: {error}</source>
            <translation>The queue could not be read: {error}</translation>
        </message>
        <message>
            <source>{count} cases</source>
            <translation>{count} cases</translation>
        </message>
        <message>
            <source>including exercise records</source>
            <translation>including exercise records</translation>
        </message>
        <message>
            <source>exercise records only</source>
            <translation>exercise records only</translation>
        </message>
        <message>
            <source>No case matches these filters: set a filter back to Any…, untick Overdue only or clear the search.</source>
            <translation>No case matches these filters: set a filter back to Any…, untick Overdue only or clear the search.</translation>
        </message>
        <message>
            <source>No exercise cases: they come from a running exercise's injects.</source>
            <translation>No exercise cases: they come from a running exercise's injects.</translation>
        </message>
        <message>
            <source>No cases yet: reports come in from the Intake tab, the supervisors' devices and the 12319 hotline.</source>
            <translation>No cases yet: reports come in from the Intake tab, the supervisors' devices and the 12319 hotline.</translation>
        </message>
    </context>
    <context>
        <name>CaseSatisfaction</name>
        <message>
            <source>Satisfied</source>
            <translation>Satisfied</translation>
        </message>
        <message>
            <source>Basically satisfied</source>
            <translation>Basically satisfied</translation>
        </message>
        <message>
            <source>Unsatisfied</source>
            <translation>Unsatisfied</translation>
        </message>
    </context>
    <context>
        <name>CaseStages</name>
        <message>
            <source>Acceptance</source>
            <translation>Acceptance</translation>
        </message>
        <message>
            <source>Verification</source>
            <translation>Verification</translation>
        </message>
        <message>
            <source>Filing</source>
            <translation>Filing</translation>
        </message>
        <message>
            <source>Dispatch</source>
            <translation>Dispatch</translation>
        </message>
        <message>
            <source>Handling</source>
            <translation>Handling</translation>
        </message>
        <message>
            <source>Sending to check</source>
            <translation>Sending to check</translation>
        </message>
        <message>
            <source>Check</source>
            <translation>Check</translation>
        </message>
        <message>
            <source>Closing</source>
            <translation>Closing</translation>
        </message>
    </context>
    <context>
        <name>CaseStates</name>
        <message>
            <source>Reported</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>Verifying</source>
            <translation>Verifying</translation>
        </message>
        <message>
            <source>Not found on site</source>
            <translation>Not found on site</translation>
        </message>
        <message>
            <source>Accepted</source>
            <translation>Accepted</translation>
        </message>
        <message>
            <source>Self-fix under review</source>
            <translation>Self-fix under review</translation>
        </message>
        <message>
            <source>Filed</source>
            <translation>Filed</translation>
        </message>
        <message>
            <source>Dispatched</source>
            <translation>Dispatched</translation>
        </message>
        <message>
            <source>Handling</source>
            <translation>Handling</translation>
        </message>
        <message>
            <source>Extension requested</source>
            <translation>Extension requested</translation>
        </message>
        <message>
            <source>Return requested</source>
            <translation>Return requested</translation>
        </message>
        <message>
            <source>Suspension requested</source>
            <translation>Suspension requested</translation>
        </message>
        <message>
            <source>Suspended</source>
            <translation>Suspended</translation>
        </message>
        <message>
            <source>Fed back</source>
            <translation>Fed back</translation>
        </message>
        <message>
            <source>Checking</source>
            <translation>Checking</translation>
        </message>
        <message>
            <source>Checked</source>
            <translation>Checked</translation>
        </message>
        <message>
            <source>Rework pending</source>
            <translation>Rework pending</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Evaluated</source>
            <translation>Evaluated</translation>
        </message>
        <message>
            <source>Voided</source>
            <translation>Voided</translation>
        </message>
        <message>
            <source>Merged duplicate</source>
            <translation>Merged duplicate</translation>
        </message>
    </context>
    <context>
        <name>CaseTools</name>
        <message>
            <source>Case queue</source>
            <translation>Case queue</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>Case</translation>
        </message>
    </context>
    <context>
        <name>CaseWeekdays</name>
        <message>
            <source>Mon</source>
            <translation>Mon</translation>
        </message>
        <message>
            <source>Tue</source>
            <translation>Tue</translation>
        </message>
        <message>
            <source>Wed</source>
            <translation>Wed</translation>
        </message>
        <message>
            <source>Thu</source>
            <translation>Thu</translation>
        </message>
        <message>
            <source>Fri</source>
            <translation>Fri</translation>
        </message>
        <message>
            <source>Sat</source>
            <translation>Sat</translation>
        </message>
        <message>
            <source>Sun</source>
            <translation>Sun</translation>
        </message>
    </context>
    <context>
        <name>CityOverviewPanel</name>
        <message>
            <source>Districts</source>
            <translation>Districts</translation>
        </message>
        <message>
            <source>Street offices</source>
            <translation>Street offices</translation>
        </message>
        <message>
            <source>Communities</source>
            <translation>Communities</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>Grid cells</translation>
        </message>
        <message>
            <source>Supervisors</source>
            <translation>Supervisors</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>Cameras</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>Components</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>Departments</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>Open cases</translation>
        </message>
        <message>
            <source>Cases on record</source>
            <translation>Cases on record</translation>
        </message>
        <message>
            <source>Exercise cases (演练, not counted above)</source>
            <translation>Exercise cases (演练, not counted above)</translation>
        </message>
    </context>
    <context>
        <name>CivilDefence</name>
        <message>
            <source>Pre-warning</source>
            <translation>Pre-warning</translation>
        </message>
        <message>
            <source>Air raid</source>
            <translation>Air raid</translation>
        </message>
        <message>
            <source>All clear</source>
            <translation>All clear</translation>
        </message>
        <message>
            <source>36 s on, 24 s off, 3 times</source>
            <translation>36 s on, 24 s off, 3 times</translation>
        </message>
        <message>
            <source>6 s on, 6 s off, 15 times</source>
            <translation>6 s on, 6 s off, 15 times</translation>
        </message>
        <message>
            <source>one continuous 3-minute tone</source>
            <translation>one continuous 3-minute tone</translation>
        </message>
        <message>
            <source>In service</source>
            <translation>In service</translation>
        </message>
        <message>
            <source>Out of service</source>
            <translation>Out of service</translation>
        </message>
        <message>
            <source>Damaged</source>
            <translation>Damaged</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Command post</source>
            <translation>Command post</translation>
        </message>
        <message>
            <source>Medical</source>
            <translation>Medical</translation>
        </message>
        <message>
            <source>Professional team</source>
            <translation>Professional team</translation>
        </message>
        <message>
            <source>Personnel, class 1</source>
            <translation>Personnel, class 1</translation>
        </message>
        <message>
            <source>Personnel, class 2</source>
            <translation>Personnel, class 2</translation>
        </message>
        <message>
            <source>Support</source>
            <translation>Support</translation>
        </message>
        <message>
            <source>Pending</source>
            <translation>Pending</translation>
        </message>
        <message>
            <source>Sending</source>
            <translation>Sending</translation>
        </message>
        <message>
            <source>Retrying</source>
            <translation>Retrying</translation>
        </message>
        <message>
            <source>Delivered</source>
            <translation>Delivered</translation>
        </message>
        <message>
            <source>Gave up</source>
            <translation>Gave up</translation>
        </message>
        <message>
            <source>sending</source>
            <translation>sending</translation>
        </message>
        <message>
            <source>delivered</source>
            <translation>delivered</translation>
        </message>
        <message>
            <source>failed</source>
            <translation>failed</translation>
        </message>
        <message>
            <source>timed out</source>
            <translation>timed out</translation>
        </message>
        <message>
            <source>abandoned</source>
            <translation>abandoned</translation>
        </message>
    </context>
    <context>
        <name>CivilDefencePage</name>
        <message>
            <source>The civil air defence tools (air-raid alarms and sirens, shelters, evacuation planning) are not installed yet. The map, the grid and the journal work as in everyday mode.</source>
            <translation>The civil air defence tools (air-raid alarms and sirens, shelters, evacuation planning) are not installed yet. The map, the grid and the journal work as in everyday mode.</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>Civil air defence</translation>
        </message>
    </context>
    <context>
        <name>CivilDefenceTools</name>
        <message>
            <source>Alarms</source>
            <translation>Alarms</translation>
        </message>
        <message>
            <source>Sirens</source>
            <translation>Sirens</translation>
        </message>
        <message>
            <source>Evacuation</source>
            <translation>Evacuation</translation>
        </message>
        <message>
            <source>Civil-defence data could not be loaded: {reason}</source>
            <translation>Civil-defence data could not be loaded: {reason}</translation>
        </message>
    </context>
    <context>
        <name>CommandPanel</name>
        <message>
            <source>What happened (a significant event)</source>
            <translation>What happened (a significant event)</translation>
        </message>
        <message>
            <source>Add to log</source>
            <translation>Add to log</translation>
        </message>
        <message>
            <source>Person</source>
            <translation>Person</translation>
        </message>
        <message>
            <source>Agency</source>
            <translation>Agency</translation>
        </message>
        <message>
            <source>Assign</source>
            <translation>Assign</translation>
        </message>
        <message>
            <source>Only {allowed} may assign ICS positions.</source>
            <translation>Only {allowed} may assign ICS positions.</translation>
        </message>
        <message>
            <source>Export briefing (ICS 201)…</source>
            <translation>Export briefing (ICS 201)…</translation>
        </message>
        <message>
            <source>Significant events</source>
            <translation>Significant events</translation>
        </message>
        <message>
            <source>Command and general staff</source>
            <translation>Command and general staff</translation>
        </message>
        <message>
            <source>Timeline replay</source>
            <translation>Timeline replay</translation>
        </message>
        <message>
            <source>Export the incident briefing</source>
            <translation>Export the incident briefing</translation>
        </message>
        <message>
            <source>PDF (*.pdf);;HTML (*.html)</source>
            <translation>PDF (*.pdf);;HTML (*.html)</translation>
        </message>
        <message>
            <source>The map shows this moment: {state}</source>
            <translation>The map shows this moment: {state}</translation>
        </message>
        <message>
            <source>cordons drawn by hand</source>
            <translation>cordons drawn by hand</translation>
        </message>
        <message>
            <source>cordons {inner:g} m / {outer:g} m</source>
            <translation>cordons {inner:g} m / {outer:g} m</translation>
        </message>
        <message>
            <source>level {level}, {status}, {cordons}; units out: {units}</source>
            <translation>level {level}, {status}, {cordons}; units out: {units}</translation>
        </message>
        <message>
            <source>none</source>
            <translation>none</translation>
        </message>
    </context>
    <context>
        <name>Compass</name>
        <message>
            <source>N</source>
            <translation>N</translation>
        </message>
        <message>
            <source>NE</source>
            <translation>NE</translation>
        </message>
        <message>
            <source>E</source>
            <translation>E</translation>
        </message>
        <message>
            <source>SE</source>
            <translation>SE</translation>
        </message>
        <message>
            <source>S</source>
            <translation>S</translation>
        </message>
        <message>
            <source>SW</source>
            <translation>SW</translation>
        </message>
        <message>
            <source>W</source>
            <translation>W</translation>
        </message>
        <message>
            <source>NW</source>
            <translation>NW</translation>
        </message>
    </context>
    <context>
        <name>ComponentMajors</name>
        <message>
            <source>Public utilities</source>
            <translation>Public utilities</translation>
        </message>
        <message>
            <source>Road traffic</source>
            <translation>Road traffic</translation>
        </message>
        <message>
            <source>City appearance</source>
            <translation>City appearance</translation>
        </message>
        <message>
            <source>Landscaping</source>
            <translation>Landscaping</translation>
        </message>
        <message>
            <source>Buildings and land</source>
            <translation>Buildings and land</translation>
        </message>
        <message>
            <source>Other components</source>
            <translation>Other components</translation>
        </message>
        <message>
            <source>Other facilities</source>
            <translation>Other facilities</translation>
        </message>
    </context>
    <context>
        <name>ComponentStates</name>
        <message>
            <source>Intact</source>
            <translation>Intact</translation>
        </message>
        <message>
            <source>Damaged</source>
            <translation>Damaged</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>Lost</translation>
        </message>
        <message>
            <source>Abandoned</source>
            <translation>Abandoned</translation>
        </message>
        <message>
            <source>Removed</source>
            <translation>Removed</translation>
        </message>
    </context>
    <context>
        <name>ConfirmAlarmDialog</name>
        <message>
            <source>Confirm alarm</source>
            <translation>Confirm alarm</translation>
        </message>
        <message>
            <source>Confirm exercise alarm</source>
            <translation>Confirm exercise alarm</translation>
        </message>
        <message>
            <source>Sound the {signal} signal ({pattern}) in {where}? Every district centre is ordered to sound it and must acknowledge; the journal records the order as given by {actor}.</source>
            <translation>Sound the {signal} signal ({pattern}) in {where}? Every district centre is ordered to sound it and must acknowledge; the journal records the order as given by {actor}.</translation>
        </message>
        <message>
            <source>EXERCISE — a drill, not a real alarm.</source>
            <translation>EXERCISE — a drill, not a real alarm.</translation>
        </message>
        <message>
            <source>Sound {signal}</source>
            <translation>Sound {signal}</translation>
        </message>
        <message>
            <source>Sound {signal} (exercise)</source>
            <translation>Sound {signal} (exercise)</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
    </context>
    <context>
        <name>ConfirmModeDialog</name>
        <message>
            <source>Confirm mode switch</source>
            <translation>Confirm mode switch</translation>
        </message>
        <message>
            <source>Switch the city to {mode} mode? Every console and district centre follows the switch, and the journal records it as made by {actor}.</source>
            <translation>Switch the city to {mode} mode? Every console and district centre follows the switch, and the journal records it as made by {actor}.</translation>
        </message>
        <message>
            <source>The two-person rule is on: the switch waits until a second authorised person confirms it with their own password within 60 seconds.</source>
            <translation>The two-person rule is on: the switch waits until a second authorised person confirms it with their own password within 60 seconds.</translation>
        </message>
        <message>
            <source>Switch to {mode}</source>
            <translation>Switch to {mode}</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Reason (required, recorded in the journal)</source>
            <translation>Reason (required, recorded in the journal)</translation>
        </message>
    </context>
    <context>
        <name>ConfirmOrderDialog</name>
        <message>
            <source>Order {id} waits for a second person</source>
            <translation>Order {id} waits for a second person</translation>
        </message>
        <message>
            <source>Order {id}, given by {who} ({role}) at {time}. Reason: {reason}
The two-person rule is on: it takes effect only when a second authorised person confirms it with their own login and password. The journal records both persons.</source>
            <translation>Order {id}, given by {who} ({role}) at {time}. Reason: {reason}
The two-person rule is on: it takes effect only when a second authorised person confirms it with their own login and password. The journal records both persons.</translation>
        </message>
        <message>
            <source>Confirm order</source>
            <translation>Confirm order</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Refuse order</source>
            <translation>Refuse order</translation>
        </message>
        <message>
            <source>the second person's login</source>
            <translation>the second person's login</translation>
        </message>
        <message>
            <source>why (when refusing; recorded in the journal)</source>
            <translation>why (when refusing; recorded in the journal)</translation>
        </message>
        <message>
            <source>Second person's login</source>
            <translation>Second person's login</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>{s} s left to confirm</source>
            <translation>{s} s left to confirm</translation>
        </message>
        <message>
            <source>Time is up: the order expired at {time}</source>
            <translation>Time is up: the order expired at {time}</translation>
        </message>
        <message>
            <source>Enter the second person's login.</source>
            <translation>Enter the second person's login.</translation>
        </message>
        <message>
            <source>Enter {login}'s password.</source>
            <translation>Enter {login}'s password.</translation>
        </message>
        <message>
            <source>Checking {login}'s password…</source>
            <translation>Checking {login}'s password…</translation>
        </message>
        <message>
            <source>The decision did not go through: {reason}</source>
            <translation>The decision did not go through: {reason}</translation>
        </message>
    </context>
    <context>
        <name>ControllerPage</name>
        <message>
            <source>No exercise has been run. Start… loads an MSEL scenario and runs it on the exercise clock.</source>
            <translation>No exercise has been run. Start… loads an MSEL scenario and runs it on the exercise clock.</translation>
        </message>
        <message>
            <source>Start…</source>
            <translation>Start…</translation>
        </message>
        <message>
            <source>Pause</source>
            <translation>Pause</translation>
        </message>
        <message>
            <source>Resume</source>
            <translation>Resume</translation>
        </message>
        <message>
            <source>Stop (ENDEX)</source>
            <translation>Stop (ENDEX)</translation>
        </message>
        <message>
            <source>Acknowledge inject</source>
            <translation>Acknowledge inject</translation>
        </message>
        <message>
            <source>About the selected inject</source>
            <translation>About the selected inject</translation>
        </message>
        <message>
            <source>What the evaluator saw</source>
            <translation>What the evaluator saw</translation>
        </message>
        <message>
            <source>Add note</source>
            <translation>Add note</translation>
        </message>
        <message>
            <source>What went wrong or was missing</source>
            <translation>What went wrong or was missing</translation>
        </message>
        <message>
            <source>The corrective action</source>
            <translation>The corrective action</translation>
        </message>
        <message>
            <source>Who owns it (a person or a department)</source>
            <translation>Who owns it (a person or a department)</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>Due</translation>
        </message>
        <message>
            <source>Add to the plan</source>
            <translation>Add to the plan</translation>
        </message>
        <message>
            <source>Objective</source>
            <translation>Objective</translation>
        </message>
        <message>
            <source>Issue</source>
            <translation>Issue</translation>
        </message>
        <message>
            <source>Action</source>
            <translation>Action</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>Owner</translation>
        </message>
        <message>
            <source>Ad-hoc inject</source>
            <translation>Ad-hoc inject</translation>
        </message>
        <message>
            <source>Evaluator notes</source>
            <translation>Evaluator notes</translation>
        </message>
        <message>
            <source>Improvement plan</source>
            <translation>Improvement plan</translation>
        </message>
        <message>
            <source>Exercise {id}: {title} · {state}</source>
            <translation>Exercise {id}: {title} · {state}</translation>
        </message>
        <message>
            <source>{total} injects · {pending} pending · {out} out · {refused} refused · {met} met · {missed} missed</source>
            <translation>{total} injects · {pending} pending · {out} out · {refused} refused · {met} met · {missed} missed</translation>
        </message>
        <message>
            <source>never</source>
            <translation>never</translation>
        </message>
        <message>
            <source>Driver: alive, last tick {age:.0f} s ago ({by}).</source>
            <translation>Driver: alive, last tick {age:.0f} s ago ({by}).</translation>
        </message>
        <message>
            <source>The centre node drives its exercises: check that it runs and serves.</source>
            <translation>The centre node drives its exercises: check that it runs and serves.</translation>
        </message>
        <message>
            <source>Start one: {command} (or open a console on this database).</source>
            <translation>Start one: {command} (or open a console on this database).</translation>
        </message>
        <message>
            <source>No driver: injects are not being delivered (last tick: {last}).</source>
            <translation>No driver: injects are not being delivered (last tick: {last}).</translation>
        </message>
        <message>
            <source>No driver is ticking (last tick: {last}); one is needed again when the exercise resumes.</source>
            <translation>No driver is ticking (last tick: {last}); one is needed again when the exercise resumes.</translation>
        </message>
        <message>
            <source> · inject {no}</source>
            <translation> · inject {no}</translation>
        </message>
        <message>
            <source>{issue}{objective} → {action} · {owner} · due {due}</source>
            <translation>{issue}{objective} → {action} · {owner} · due {due}</translation>
        </message>
        <message>
            <source>exercise clock {time} · ×{speed:g} · {state}</source>
            <translation>exercise clock {time} · ×{speed:g} · {state}</translation>
        </message>
        <message>
            <source>ends by itself at {t_plus}</source>
            <translation>ends by itself at {t_plus}</translation>
        </message>
        <message>
            <source>Exercises are run at the municipal centre; you act for district {district}.</source>
            <translation>Exercises are run at the municipal centre; you act for district {district}.</translation>
        </message>
        <message>
            <source>Only the drill coordinator or the city commander may run an exercise; you are signed in as {role}.</source>
            <translation>Only the drill coordinator or the city commander may run an exercise; you are signed in as {role}.</translation>
        </message>
        <message>
            <source>Exercise {id} is on: stop it (ENDEX) before starting another.</source>
            <translation>Exercise {id} is on: stop it (ENDEX) before starting another.</translation>
        </message>
        <message>
            <source>No exercise is on.</source>
            <translation>No exercise is on.</translation>
        </message>
        <message>
            <source>The exercise is paused.</source>
            <translation>The exercise is paused.</translation>
        </message>
        <message>
            <source>The exercise is running.</source>
            <translation>The exercise is running.</translation>
        </message>
        <message>
            <source>No exercise to write about.</source>
            <translation>No exercise to write about.</translation>
        </message>
        <message>
            <source>Sign in to take notes.</source>
            <translation>Sign in to take notes.</translation>
        </message>
        <message>
            <source>Select an inject in the list to acknowledge it or note on it.</source>
            <translation>Select an inject in the list to acknowledge it or note on it.</translation>
        </message>
        <message>
            <source>refused: {reason}</source>
            <translation>refused: {reason}</translation>
        </message>
        <message>
            <source>Sign in to acknowledge injects.</source>
            <translation>Sign in to acknowledge injects.</translation>
        </message>
        <message>
            <source>Select a delivered inject.</source>
            <translation>Select a delivered inject.</translation>
        </message>
        <message>
            <source>Inject {no} is not waiting for an acknowledgement ({state}).</source>
            <translation>Inject {no} is not waiting for an acknowledgement ({state}).</translation>
        </message>
        <message>
            <source>Choose a MSEL file.</source>
            <translation>Choose a MSEL file.</translation>
        </message>
        <message>
            <source>End the exercise</source>
            <translation>End the exercise</translation>
        </message>
        <message>
            <source>End exercise {id} (ENDEX)? Injects not yet delivered are skipped; what the exercise made stays on record, marked as the exercise's.</source>
            <translation>End exercise {id} (ENDEX)? Injects not yet delivered are skipped; what the exercise made stays on record, marked as the exercise's.</translation>
        </message>
        <message>
            <source>Write the note first.</source>
            <translation>Write the note first.</translation>
        </message>
        <message>
            <source>Exercise {id} started: {n} injects at ×{speed:g}.</source>
            <translation>Exercise {id} started: {n} injects at ×{speed:g}.</translation>
        </message>
        <message>
            <source>Exercise {id} paused.</source>
            <translation>Exercise {id} paused.</translation>
        </message>
        <message>
            <source>Exercise {id} resumed.</source>
            <translation>Exercise {id} resumed.</translation>
        </message>
        <message>
            <source>Exercise {id} ended (ENDEX).</source>
            <translation>Exercise {id} ended (ENDEX).</translation>
        </message>
        <message>
            <source>Inject {no} added: it goes out at the next tick.</source>
            <translation>Inject {no} added: it goes out at the next tick.</translation>
        </message>
        <message>
            <source>Inject {no} acknowledged.</source>
            <translation>Inject {no} acknowledged.</translation>
        </message>
        <message>
            <source>Note recorded.</source>
            <translation>Note recorded.</translation>
        </message>
        <message>
            <source>Improvement item recorded.</source>
            <translation>Improvement item recorded.</translation>
        </message>
        <message>
            <source>Refused: {reason}</source>
            <translation>Refused: {reason}</translation>
        </message>
    </context>
    <context>
        <name>CoverageTableModel</name>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Cells</source>
            <translation>Cells</translation>
        </message>
        <message>
            <source>Problems (n)</source>
            <translation>Problems (n)</translation>
        </message>
        <message>
            <source>Public first</source>
            <translation>Public first</translation>
        </message>
        <message>
            <source>Share</source>
            <translation>Share</translation>
        </message>
        <message>
            <source>Too few problems to judge this patch's coverage by</source>
            <translation>Too few problems to judge this patch's coverage by</translation>
        </message>
    </context>
    <context>
        <name>DashboardPanel</name>
        <message>
            <source>Loading the figures…</source>
            <translation>Loading the figures…</translation>
        </message>
        <message>
            <source>Daily intake by channel</source>
            <translation>Daily intake by channel</translation>
        </message>
        <message>
            <source>Open and overdue cases at the end of each day</source>
            <translation>Open and overdue cases at the end of each day</translation>
        </message>
        <message>
            <source>Open</source>
            <translation>Open</translation>
        </message>
        <message>
            <source>Overdue</source>
            <translation>Overdue</translation>
        </message>
        <message>
            <source>Closure and on-time rates by department</source>
            <translation>Closure and on-time rates by department</translation>
        </message>
        <message>
            <source>Closure and on-time rates by district</source>
            <translation>Closure and on-time rates by district</translation>
        </message>
        <message>
            <source>Solid bar: closure rate; pale bar: on-time rate; colour and letter: the grade.</source>
            <translation>Solid bar: closure rate; pale bar: on-time rate; colour and letter: the grade.</translation>
        </message>
        <message>
            <source>Ranking</source>
            <translation>Ranking</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>Departments</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>Districts</translation>
        </message>
        <message>
            <source>Supervisor coverage: the public reported first</source>
            <translation>Supervisor coverage: the public reported first</translation>
        </message>
        <message>
            <source>The figures could not be read: {error}</source>
            <translation>The figures could not be read: {error}</translation>
        </message>
        <message>
            <source>{first} to {last}, as of {now} (the last day so far)</source>
            <translation>{first} to {last}, as of {now} (the last day so far)</translation>
        </message>
        <message>
            <source> · including exercise records (演练)</source>
            <translation> · including exercise records (演练)</translation>
        </message>
        <message>
            <source> · exercise records only (演练): not the real figures</source>
            <translation> · exercise records only (演练): not the real figures</translation>
        </message>
        <message>
            <source>Per supervisor, the share of the patch's problems (filed, not voided) reported in the duty hours that the 12319 hotline, the internet or the media reported first; the weakest coverage first. Greyed: fewer than {n} problems, too few to judge.</source>
            <translation>Per supervisor, the share of the patch's problems (filed, not voided) reported in the duty hours that the 12319 hotline, the internet or the media reported first; the weakest coverage first. Greyed: fewer than {n} problems, too few to judge.</translation>
        </message>
    </context>
    <context>
        <name>DemoOfferDialog</name>
        <message>
            <source>Sanwei · a demo that moves</source>
            <translation>Sanwei · a demo that moves</translation>
        </message>
        <message>
            <source>This is the demo city of Harbin with a month of case history.

Start “a busy day” as a DEMO exercise? About 2,000 reports and three sudden events arrive over 24 scenario hours, played 60 times faster from 08:00: the queue, the map, the dashboard and the emergency page move within a minute. It ends by itself about 16 minutes later, once the day's last report is out.

It is marked EXERCISE / 演练 on every screen and none of it counts in the real figures. The drill coordinator starts it (the demo password is sanwei-demo).</source>
            <translation>This is the demo city of Harbin with a month of case history.

Start “a busy day” as a DEMO exercise? About 2,000 reports and three sudden events arrive over 24 scenario hours, played 60 times faster from 08:00: the queue, the map, the dashboard and the emergency page move within a minute. It ends by itself about 16 minutes later, once the day's last report is out.

It is marked EXERCISE / 演练 on every screen and none of it counts in the real figures. The drill coordinator starts it (the demo password is sanwei-demo).</translation>
        </message>
        <message>
            <source>Drill coordinator</source>
            <translation>Drill coordinator</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Start the demo</source>
            <translation>Start the demo</translation>
        </message>
        <message>
            <source>Not now</source>
            <translation>Not now</translation>
        </message>
        <message>
            <source>Checking the scenario against the city and starting it…</source>
            <translation>Checking the scenario against the city and starting it…</translation>
        </message>
    </context>
    <context>
        <name>DetailsPanel</name>
        <message>
            <source>Selection</source>
            <translation>Selection</translation>
        </message>
        <message>
            <source>Click the map or search to see details.</source>
            <translation>Click the map or search to see details.</translation>
        </message>
        <message>
            <source>Cell code</source>
            <translation>Cell code</translation>
        </message>
        <message>
            <source>Legacy code</source>
            <translation>Legacy code</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>Community</translation>
        </message>
        <message>
            <source>Street</source>
            <translation>Street</translation>
        </message>
        <message>
            <source>District</source>
            <translation>District</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>Area</translation>
        </message>
        <message>
            <source>{n} m²</source>
            <translation>{n} m²</translation>
        </message>
        <message>
            <source>Residents</source>
            <translation>Residents</translation>
        </message>
        <message>
            <source>Daytime population</source>
            <translation>Daytime population</translation>
        </message>
        <message>
            <source>Land use</source>
            <translation>Land use</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>Open cases</translation>
        </message>
        <message>
            <source>Components ({n})</source>
            <translation>Components ({n})</translation>
        </message>
        <message>
            <source>Cell {code}</source>
            <translation>Cell {code}</translation>
        </message>
        <message>
            <source>Component id</source>
            <translation>Component id</translation>
        </message>
        <message>
            <source>Legacy id</source>
            <translation>Legacy id</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Type code GB/T 47678.5</source>
            <translation>Type code GB/T 47678.5</translation>
        </message>
        <message>
            <source>Type code CJ/T 214</source>
            <translation>Type code CJ/T 214</translation>
        </message>
        <message>
            <source>Major class</source>
            <translation>Major class</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>Owner</translation>
        </message>
        <message>
            <source>Property</source>
            <translation>Property</translation>
        </message>
        <message>
            <source>Maintenance</source>
            <translation>Maintenance</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>Cell</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>Registered</translation>
        </message>
        <message>
            <source>Last change</source>
            <translation>Last change</translation>
        </message>
        <message>
            <source>Data source</source>
            <translation>Data source</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>Position</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>Note</translation>
        </message>
        <message>
            <source>Component {id}</source>
            <translation>Component {id}</translation>
        </message>
        <message>
            <source>Camera id</source>
            <translation>Camera id</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Placed at</source>
            <translation>Placed at</translation>
        </message>
        <message>
            <source>Stream</source>
            <translation>Stream</translation>
        </message>
        <message>
            <source>Heading</source>
            <translation>Heading</translation>
        </message>
        <message>
            <source>{deg}° from north</source>
            <translation>{deg}° from north</translation>
        </message>
        <message>
            <source>Field of view</source>
            <translation>Field of view</translation>
        </message>
        <message>
            <source>{deg}°, {range} m</source>
            <translation>{deg}°, {range} m</translation>
        </message>
        <message>
            <source>What it sees</source>
            <translation>What it sees</translation>
        </message>
        <message>
            <source>Cells in view</source>
            <translation>Cells in view</translation>
        </message>
        <message>
            <source>Components in view</source>
            <translation>Components in view</translation>
        </message>
        <message>
            <source>Camera {id}</source>
            <translation>Camera {id}</translation>
        </message>
        <message>
            <source>Supervisor code</source>
            <translation>Supervisor code</translation>
        </message>
        <message>
            <source>Device</source>
            <translation>Device</translation>
        </message>
        <message>
            <source>Cells in patch</source>
            <translation>Cells in patch</translation>
        </message>
        <message>
            <source>last reported {when}</source>
            <translation>last reported {when}</translation>
        </message>
        <message>
            <source>centre of patch (no report yet)</source>
            <translation>centre of patch (no report yet)</translation>
        </message>
        <message>
            <source>Supervisor {name}</source>
            <translation>Supervisor {name}</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>Code</translation>
        </message>
        <message>
            <source>Part of</source>
            <translation>Part of</translation>
        </message>
        <message>
            <source>Cells</source>
            <translation>Cells</translation>
        </message>
        <message>
            <source>{n} km²</source>
            <translation>{n} km²</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>Components</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>Incident</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>Title</translation>
        </message>
        <message>
            <source>Level now</source>
            <translation>Level now</translation>
        </message>
        <message>
            <source>Status now</source>
            <translation>Status now</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>Commander</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>Opened</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
        <message>
            <source>Escalated</source>
            <translation>Escalated</translation>
        </message>
        <message>
            <source>{when} by {who}, at {level}</source>
            <translation>{when} by {who}, at {level}</translation>
        </message>
        <message>
            <source>From case</source>
            <translation>From case</translation>
        </message>
        <message>
            <source>The emergency page shows the incident in full while the city is in emergency mode.</source>
            <translation>The emergency page shows the incident in full while the city is in emergency mode.</translation>
        </message>
        <message>
            <source>Exercise</source>
            <translation>Exercise</translation>
        </message>
        <message>
            <source>yes: a drill's incident, not a real one</source>
            <translation>yes: a drill's incident, not a real one</translation>
        </message>
        <message>
            <source>Incident #{id}</source>
            <translation>Incident #{id}</translation>
        </message>
        <message>
            <source>Not found</source>
            <translation>Not found</translation>
        </message>
        <message>
            <source>Key</source>
            <translation>Key</translation>
        </message>
    </context>
    <context>
        <name>EmergencyConsole</name>
        <message>
            <source>Refused: {reason}</source>
            <translation>Refused: {reason}</translation>
        </message>
        <message>
            <source>Incident #{id} opened.</source>
            <translation>Incident #{id} opened.</translation>
        </message>
        <message>
            <source>Case {case} escalated to incident #{id}.</source>
            <translation>Case {case} escalated to incident #{id}.</translation>
        </message>
        <message>
            <source>The briefing could not be written: {error}</source>
            <translation>The briefing could not be written: {error}</translation>
        </message>
        <message>
            <source>Briefing written to {path}.</source>
            <translation>Briefing written to {path}.</translation>
        </message>
        <message>
            <source>Your role ({role}) may not open incidents or escalate cases: only {allowed}.</source>
            <translation>Your role ({role}) may not open incidents or escalate cases: only {allowed}.</translation>
        </message>
        <message>
            <source>An incident that is {current} cannot become {target}.</source>
            <translation>An incident that is {current} cannot become {target}.</translation>
        </message>
        <message>
            <source>A task that is {current} cannot become {target}.</source>
            <translation>A task that is {current} cannot become {target}.</translation>
        </message>
        <message>
            <source>Your role ({role}) may not do this: only {allowed}.</source>
            <translation>Your role ({role}) may not do this: only {allowed}.</translation>
        </message>
        <message>
            <source>Incidents</source>
            <translation>Incidents</translation>
        </message>
        <message>
            <source>Impact</source>
            <translation>Impact</translation>
        </message>
        <message>
            <source>Resources</source>
            <translation>Resources</translation>
        </message>
        <message>
            <source>Command record</source>
            <translation>Command record</translation>
        </message>
        <message>
            <source>Click on the map where the incident is.</source>
            <translation>Click on the map where the incident is.</translation>
        </message>
        <message>
            <source>Open an incident here…</source>
            <translation>Open an incident here…</translation>
        </message>
        <message>
            <source>the incident area</source>
            <translation>the incident area</translation>
        </message>
        <message>
            <source>the inner cordon</source>
            <translation>the inner cordon</translation>
        </message>
        <message>
            <source>the outer cordon</source>
            <translation>the outer cordon</translation>
        </message>
        <message>
            <source>Select an incident first.</source>
            <translation>Select an incident first.</translation>
        </message>
        <message>
            <source>Draw {what} on the map: click its corners; double-click or Enter closes it, Backspace takes back a corner, Esc cancels.</source>
            <translation>Draw {what} on the map: click its corners; double-click or Enter closes it, Backspace takes back a corner, Esc cancels.</translation>
        </message>
        <message>
            <source>Drawn {what}: {n} corners.</source>
            <translation>Drawn {what}: {n} corners.</translation>
        </message>
        <message>
            <source>Incident #{id}: area changed.</source>
            <translation>Incident #{id}: area changed.</translation>
        </message>
        <message>
            <source>Drawing cancelled: nothing changed.</source>
            <translation>Drawing cancelled: nothing changed.</translation>
        </message>
    </context>
    <context>
        <name>EmergencyPage</name>
        <message>
            <source>The emergency rescue tools (incidents and response levels, cordons and affected population, resources and dispatch, the incident log) are not installed yet. The map, the grid and the journal work as in everyday mode.</source>
            <translation>The emergency rescue tools (incidents and response levels, cordons and affected population, resources and dispatch, the incident log) are not installed yet. The map, the grid and the journal work as in everyday mode.</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>Emergency rescue</translation>
        </message>
    </context>
    <context>
        <name>EmergencyTables</name>
        <message>
            <source>No.</source>
            <translation>No.</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Opened</source>
            <translation>Opened</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>Commander</translation>
        </message>
        <message>
            <source>Task</source>
            <translation>Task</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>Unit</translation>
        </message>
        <message>
            <source>ETA (min)</source>
            <translation>ETA (min)</translation>
        </message>
        <message>
            <source>Due</source>
            <translation>Due</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>Owner</translation>
        </message>
        <message>
            <source>Capability</source>
            <translation>Capability</translation>
        </message>
        <message>
            <source>Distance (km)</source>
            <translation>Distance (km)</translation>
        </message>
        <message>
            <source>Base</source>
            <translation>Base</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Time</translation>
        </message>
        <message>
            <source>Who</source>
            <translation>Who</translation>
        </message>
        <message>
            <source>Entry</source>
            <translation>Entry</translation>
        </message>
        <message>
            <source>Camera</source>
            <translation>Camera</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Distance (m)</source>
            <translation>Distance (m)</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>Place</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>Capacity</source>
            <translation>Capacity</translation>
        </message>
        <message>
            <source>Hospital</source>
            <translation>Hospital</translation>
        </message>
        <message>
            <source>Emergency centre</source>
            <translation>Emergency centre</translation>
        </message>
        <message>
            <source>Shelter</source>
            <translation>Shelter</translation>
        </message>
        <message>
            <source>Inner</source>
            <translation>Inner</translation>
        </message>
        <message>
            <source>Outer</source>
            <translation>Outer</translation>
        </message>
        <message>
            <source>Owner department</source>
            <translation>Owner department</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>Components</translation>
        </message>
        <message>
            <source>In inner cordon</source>
            <translation>In inner cordon</translation>
        </message>
        <message>
            <source>Case</source>
            <translation>Case</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Zone</source>
            <translation>Zone</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>Position</translation>
        </message>
        <message>
            <source>Person</source>
            <translation>Person</translation>
        </message>
        <message>
            <source>Agency</source>
            <translation>Agency</translation>
        </message>
        <message>
            <source>Event</source>
            <translation>Event</translation>
        </message>
    </context>
    <context>
        <name>EvacuationPanel</name>
        <message>
            <source>Longest walk</source>
            <translation>Longest walk</translation>
        </message>
        <message>
            <source> min</source>
            <translation> min</translation>
        </message>
        <message>
            <source>Compute plan</source>
            <translation>Compute plan</translation>
        </message>
        <message>
            <source>Export CSV</source>
            <translation>Export CSV</translation>
        </message>
        <message>
            <source>Export GeoJSON</source>
            <translation>Export GeoJSON</translation>
        </message>
        <message>
            <source>No plan computed yet.</source>
            <translation>No plan computed yet.</translation>
        </message>
        <message>
            <source>Shelters: planned load and capacity</source>
            <translation>Shelters: planned load and capacity</translation>
        </message>
        <message>
            <source>Shelter</source>
            <translation>Shelter</translation>
        </message>
        <message>
            <source>District</source>
            <translation>District</translation>
        </message>
        <message>
            <source>Class</source>
            <translation>Class</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Capacity</source>
            <translation>Capacity</translation>
        </message>
        <message>
            <source>Planned load</source>
            <translation>Planned load</translation>
        </message>
        <message>
            <source>Load %</source>
            <translation>Load %</translation>
        </message>
        <message>
            <source>Occupancy</source>
            <translation>Occupancy</translation>
        </message>
        <message>
            <source>Close shelter</source>
            <translation>Close shelter</translation>
        </message>
        <message>
            <source>Reopen shelter</source>
            <translation>Reopen shelter</translation>
        </message>
        <message>
            <source>Head count</source>
            <translation>Head count</translation>
        </message>
        <message>
            <source>Report occupancy</source>
            <translation>Report occupancy</translation>
        </message>
        <message>
            <source>Deficits: people without a place</source>
            <translation>Deficits: people without a place</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Staying</source>
            <translation>Staying</translation>
        </message>
        <message>
            <source>Placed</source>
            <translation>Placed</translation>
        </message>
        <message>
            <source>Unplaced</source>
            <translation>Unplaced</translation>
        </message>
        <message>
            <source>Places in district</source>
            <translation>Places in district</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>Cell</translation>
        </message>
        <message>
            <source>Only the civil-defence officer may close or reopen shelters; you are logged in as {role}.</source>
            <translation>Only the civil-defence officer may close or reopen shelters; you are logged in as {role}.</translation>
        </message>
        <message>
            <source>Computing the optimal plan…</source>
            <translation>Computing the optimal plan…</translation>
        </message>
        <message>
            <source>The plan failed: {reason}</source>
            <translation>The plan failed: {reason}</translation>
        </message>
        <message>
            <source>Closing {id} and re-planning…</source>
            <translation>Closing {id} and re-planning…</translation>
        </message>
        <message>
            <source>{id} closed: {displaced} people displaced, {moved} moved, {unplaced} more unplaced.</source>
            <translation>{id} closed: {displaced} people displaced, {moved} moved, {unplaced} more unplaced.</translation>
        </message>
        <message>
            <source>{id} reports {persons} people, over its capacity of {capacity}.</source>
            <translation>{id} reports {persons} people, over its capacity of {capacity}.</translation>
        </message>
        <message>
            <source>Staying {staying} · placed {assigned} · unplaced {unplaced} · {pm} person-km · mean walk {walk} m · solver: {status}</source>
            <translation>Staying {staying} · placed {assigned} · unplaced {unplaced} · {pm} person-km · mean walk {walk} m · solver: {status}</translation>
        </message>
        <message>
            <source>optimal</source>
            <translation>optimal</translation>
        </message>
        <message>
            <source>CSV files (*.csv)</source>
            <translation>CSV files (*.csv)</translation>
        </message>
        <message>
            <source>GeoJSON files (*.geojson)</source>
            <translation>GeoJSON files (*.geojson)</translation>
        </message>
        <message>
            <source>Export the evacuation plan</source>
            <translation>Export the evacuation plan</translation>
        </message>
        <message>
            <source>Export failed: {reason}</source>
            <translation>Export failed: {reason}</translation>
        </message>
        <message>
            <source>Plan exported to {path}.</source>
            <translation>Plan exported to {path}.</translation>
        </message>
    </context>
    <context>
        <name>EverydayPage</name>
        <message>
            <source>City overview</source>
            <translation>City overview</translation>
        </message>
    </context>
    <context>
        <name>ExerciseBanner</name>
        <message>
            <source>Acknowledge</source>
            <translation>Acknowledge</translation>
        </message>
        <message>
            <source>{t_plus} (exercise clock {time})</source>
            <translation>{t_plus} (exercise clock {time})</translation>
        </message>
        <message>
            <source>Inject {no} to you ({kind}, from {sender}): {what}</source>
            <translation>Inject {no} to you ({kind}, from {sender}): {what}</translation>
        </message>
        <message>
            <source>(+{n} more)</source>
            <translation>(+{n} more)</translation>
        </message>
        <message>
            <source>Say that inject {no} reached you (recorded in the exercise's journal).</source>
            <translation>Say that inject {no} reached you (recorded in the exercise's journal).</translation>
        </message>
        <message>
            <source>Not acknowledged: {reason}</source>
            <translation>Not acknowledged: {reason}</translation>
        </message>
    </context>
    <context>
        <name>ExerciseRecordsBox</name>
        <message>
            <source>Exercise records:</source>
            <translation>Exercise records:</translation>
        </message>
        <message>
            <source>Whether lists and figures leave out the records exercises made (cases, incidents, alarms), include them, or show only them. While an exercise is on this is “include”.</source>
            <translation>Whether lists and figures leave out the records exercises made (cases, incidents, alarms), include them, or show only them. While an exercise is on this is “include”.</translation>
        </message>
    </context>
    <context>
        <name>ExerciseTools</name>
        <message>
            <source>The exercise could not be read: {error}</source>
            <translation>The exercise could not be read: {error}</translation>
        </message>
        <message>
            <source>The exercise tick failed: {error}</source>
            <translation>The exercise tick failed: {error}</translation>
        </message>
    </context>
    <context>
        <name>Exercises</name>
        <message>
            <source>Report</source>
            <translation>Report</translation>
        </message>
        <message>
            <source>Incident</source>
            <translation>Incident</translation>
        </message>
        <message>
            <source>Alarm</source>
            <translation>Alarm</translation>
        </message>
        <message>
            <source>Asset</source>
            <translation>Asset</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>Unit</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>Message</translation>
        </message>
        <message>
            <source>Pending</source>
            <translation>Pending</translation>
        </message>
        <message>
            <source>Delivered</source>
            <translation>Delivered</translation>
        </message>
        <message>
            <source>Acknowledged</source>
            <translation>Acknowledged</translation>
        </message>
        <message>
            <source>Actioned</source>
            <translation>Actioned</translation>
        </message>
        <message>
            <source>Refused</source>
            <translation>Refused</translation>
        </message>
        <message>
            <source>Skipped</source>
            <translation>Skipped</translation>
        </message>
        <message>
            <source>running</source>
            <translation>running</translation>
        </message>
        <message>
            <source>paused</source>
            <translation>paused</translation>
        </message>
        <message>
            <source>stopped (ENDEX)</source>
            <translation>stopped (ENDEX)</translation>
        </message>
        <message>
            <source>completed (ENDEX)</source>
            <translation>completed (ENDEX)</translation>
        </message>
        <message>
            <source>Observation</source>
            <translation>Observation</translation>
        </message>
        <message>
            <source>Strength</source>
            <translation>Strength</translation>
        </message>
        <message>
            <source>Area for improvement</source>
            <translation>Area for improvement</translation>
        </message>
        <message>
            <source>Expected action met</source>
            <translation>Expected action met</translation>
        </message>
        <message>
            <source>Expected action missed</source>
            <translation>Expected action missed</translation>
        </message>
        <message>
            <source>Available</source>
            <translation>Available</translation>
        </message>
        <message>
            <source>Assigned</source>
            <translation>Assigned</translation>
        </message>
        <message>
            <source>Out of service</source>
            <translation>Out of service</translation>
        </message>
        <message>
            <source>leave out</source>
            <translation>leave out</translation>
        </message>
        <message>
            <source>include</source>
            <translation>include</translation>
        </message>
        <message>
            <source>only</source>
            <translation>only</translation>
        </message>
    </context>
    <context>
        <name>GraphicsScene</name>
        <message>
            <source>Export...</source>
            <translation>Export...</translation>
        </message>
    </context>
    <context>
        <name>IcsPositions</name>
        <message>
            <source>Incident commander</source>
            <translation>Incident commander</translation>
        </message>
        <message>
            <source>Operations</source>
            <translation>Operations</translation>
        </message>
        <message>
            <source>Planning</source>
            <translation>Planning</translation>
        </message>
        <message>
            <source>Logistics</source>
            <translation>Logistics</translation>
        </message>
        <message>
            <source>Finance and administration</source>
            <translation>Finance and administration</translation>
        </message>
        <message>
            <source>Liaison</source>
            <translation>Liaison</translation>
        </message>
        <message>
            <source>Safety</source>
            <translation>Safety</translation>
        </message>
        <message>
            <source>Public information</source>
            <translation>Public information</translation>
        </message>
    </context>
    <context>
        <name>ImpactPanel</name>
        <message>
            <source>Affected cells</source>
            <translation>Affected cells</translation>
        </message>
        <message>
            <source>Communities</source>
            <translation>Communities</translation>
        </message>
        <message>
            <source>People (outer cordon)</source>
            <translation>People (outer cordon)</translation>
        </message>
        <message>
            <source>People (inner cordon)</source>
            <translation>People (inner cordon)</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>Components</translation>
        </message>
        <message>
            <source>Cameras seeing it</source>
            <translation>Cameras seeing it</translation>
        </message>
        <message>
            <source>Open cases inside</source>
            <translation>Open cases inside</translation>
        </message>
        <message>
            <source>Shelters / hospitals nearby</source>
            <translation>Shelters / hospitals nearby</translation>
        </message>
        <message>
            <source>Change cordons</source>
            <translation>Change cordons</translation>
        </message>
        <message>
            <source>Cordons (m)</source>
            <translation>Cordons (m)</translation>
        </message>
        <message>
            <source>Redraw area</source>
            <translation>Redraw area</translation>
        </message>
        <message>
            <source>Draw inner cordon</source>
            <translation>Draw inner cordon</translation>
        </message>
        <message>
            <source>Draw outer cordon</source>
            <translation>Draw outer cordon</translation>
        </message>
        <message>
            <source>Only {allowed} may change an incident's area.</source>
            <translation>Only {allowed} may change an incident's area.</translation>
        </message>
        <message>
            <source>Components by owner department</source>
            <translation>Components by owner department</translation>
        </message>
        <message>
            <source>Cameras covering the area (nearest first; click to view)</source>
            <translation>Cameras covering the area (nearest first; click to view)</translation>
        </message>
        <message>
            <source>Shelters and hospitals nearby</source>
            <translation>Shelters and hospitals nearby</translation>
        </message>
        <message>
            <source>Open everyday cases inside</source>
            <translation>Open everyday cases inside</translation>
        </message>
    </context>
    <context>
        <name>IncidentCategories</name>
        <message>
            <source>Natural disaster</source>
            <translation>Natural disaster</translation>
        </message>
        <message>
            <source>Accident</source>
            <translation>Accident</translation>
        </message>
        <message>
            <source>Public health</source>
            <translation>Public health</translation>
        </message>
        <message>
            <source>Social security</source>
            <translation>Social security</translation>
        </message>
    </context>
    <context>
        <name>IncidentLevels</name>
        <message>
            <source>Level I (extremely serious)</source>
            <translation>Level I (extremely serious)</translation>
        </message>
        <message>
            <source>Level II (serious)</source>
            <translation>Level II (serious)</translation>
        </message>
        <message>
            <source>Level III (relatively serious)</source>
            <translation>Level III (relatively serious)</translation>
        </message>
        <message>
            <source>Level IV (general)</source>
            <translation>Level IV (general)</translation>
        </message>
        <message>
            <source>I</source>
            <translation>I</translation>
        </message>
        <message>
            <source>II</source>
            <translation>II</translation>
        </message>
        <message>
            <source>III</source>
            <translation>III</translation>
        </message>
        <message>
            <source>IV</source>
            <translation>IV</translation>
        </message>
    </context>
    <context>
        <name>IncidentStatuses</name>
        <message>
            <source>Reported</source>
            <translation>Reported</translation>
        </message>
        <message>
            <source>Responding</source>
            <translation>Responding</translation>
        </message>
        <message>
            <source>Contained</source>
            <translation>Contained</translation>
        </message>
        <message>
            <source>Closed</source>
            <translation>Closed</translation>
        </message>
    </context>
    <context>
        <name>IncidentTypes</name>
        <message>
            <source>Road collapse</source>
            <translation>Road collapse</translation>
        </message>
        <message>
            <source>Water main burst</source>
            <translation>Water main burst</translation>
        </message>
        <message>
            <source>Gas main rupture</source>
            <translation>Gas main rupture</translation>
        </message>
        <message>
            <source>Sewer blockage or break</source>
            <translation>Sewer blockage or break</translation>
        </message>
        <message>
            <source>Heating main burst</source>
            <translation>Heating main burst</translation>
        </message>
        <message>
            <source>Road flooding</source>
            <translation>Road flooding</translation>
        </message>
        <message>
            <source>Snow and ice on roads</source>
            <translation>Snow and ice on roads</translation>
        </message>
        <message>
            <source>Fallen overhead cables</source>
            <translation>Fallen overhead cables</translation>
        </message>
        <message>
            <source>Mass incident</source>
            <translation>Mass incident</translation>
        </message>
        <message>
            <source>Other sudden event</source>
            <translation>Other sudden event</translation>
        </message>
        <message>
            <source>Fire</source>
            <translation>Fire</translation>
        </message>
        <message>
            <source>Flood</source>
            <translation>Flood</translation>
        </message>
        <message>
            <source>Gas leak</source>
            <translation>Gas leak</translation>
        </message>
        <message>
            <source>Building collapse</source>
            <translation>Building collapse</translation>
        </message>
        <message>
            <source>Hazardous materials release</source>
            <translation>Hazardous materials release</translation>
        </message>
        <message>
            <source>Explosion</source>
            <translation>Explosion</translation>
        </message>
        <message>
            <source>Major traffic accident</source>
            <translation>Major traffic accident</translation>
        </message>
        <message>
            <source>Earthquake</source>
            <translation>Earthquake</translation>
        </message>
        <message>
            <source>Crowd crush at a mass gathering</source>
            <translation>Crowd crush at a mass gathering</translation>
        </message>
        <message>
            <source>Epidemic outbreak</source>
            <translation>Epidemic outbreak</translation>
        </message>
        <message>
            <source>Mass food poisoning</source>
            <translation>Mass food poisoning</translation>
        </message>
        <message>
            <source>Terrorist attack</source>
            <translation>Terrorist attack</translation>
        </message>
    </context>
    <context>
        <name>IncidentsPanel</name>
        <message>
            <source>All statuses</source>
            <translation>All statuses</translation>
        </message>
        <message>
            <source>New incident…</source>
            <translation>New incident…</translation>
        </message>
        <message>
            <source>Show</source>
            <translation>Show</translation>
        </message>
        <message>
            <source>Responding</source>
            <translation>Responding</translation>
        </message>
        <message>
            <source>Contained</source>
            <translation>Contained</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Close</translation>
        </message>
        <message>
            <source>Note (why: needed to resume or to close a false alarm)</source>
            <translation>Note (why: needed to resume or to close a false alarm)</translation>
        </message>
        <message>
            <source>Set level</source>
            <translation>Set level</translation>
        </message>
        <message>
            <source>Only {allowed} may change an incident's level.</source>
            <translation>Only {allowed} may change an incident's level.</translation>
        </message>
        <message>
            <source>No incident is {status}. Show all statuses to see the others.</source>
            <translation>No incident is {status}. Show all statuses to see the others.</translation>
        </message>
        <message>
            <source>No incidents.</source>
            <translation>No incidents.</translation>
        </message>
        <message>
            <source>No incidents. Open one with New incident…, or in emergency mode (F3) right-click the map where it is.</source>
            <translation>No incidents. Open one with New incident…, or in emergency mode (F3) right-click the map where it is.</translation>
        </message>
        <message>
            <source>Exercise deadline 演练时限 {time} on the exercise clock: the drill's report to the State Council (no real report is due)</source>
            <translation>Exercise deadline 演练时限 {time} on the exercise clock: the drill's report to the State Council (no real report is due)</translation>
        </message>
        <message>
            <source> — overdue</source>
            <translation> — overdue</translation>
        </message>
        <message>
            <source>cordons drawn by hand</source>
            <translation>cordons drawn by hand</translation>
        </message>
        <message>
            <source>cordons drawn by hand (inner {inner} m², outer {outer} m²)</source>
            <translation>cordons drawn by hand (inner {inner} m², outer {outer} m²)</translation>
        </message>
        <message>
            <source>drawn by hand</source>
            <translation>drawn by hand</translation>
        </message>
        <message>
            <source>drawn by hand ({n} m²)</source>
            <translation>drawn by hand ({n} m²)</translation>
        </message>
        <message>
            <source>{m} m</source>
            <translation>{m} m</translation>
        </message>
        <message>
            <source>cordons: inner {inner}, outer {outer}</source>
            <translation>cordons: inner {inner}, outer {outer}</translation>
        </message>
        <message>
            <source>cordons {inner:g} m / {outer:g} m around the drawn area</source>
            <translation>cordons {inner:g} m / {outer:g} m around the drawn area</translation>
        </message>
        <message>
            <source>cordons {inner:g} m / {outer:g} m</source>
            <translation>cordons {inner:g} m / {outer:g} m</translation>
        </message>
        <message>
            <source>Escalated from case {case}</source>
            <translation>Escalated from case {case}</translation>
        </message>
        <message>
            <source>Exercise deadline 演练时限 {time}: the drill's report to the State Council (no real report is due)</source>
            <translation>Exercise deadline 演练时限 {time}: the drill's report to the State Council (no real report is due)</translation>
        </message>
        <message>
            <source>Report to the State Council by {time}</source>
            <translation>Report to the State Council by {time}</translation>
        </message>
    </context>
    <context>
        <name>InjectForm</name>
        <message>
            <source>A login or a role, e.g. city_commander</source>
            <translation>A login or a role, e.g. city_commander</translation>
        </message>
        <message>
            <source>What the players are told</source>
            <translation>What the players are told</translation>
        </message>
        <message>
            <source>Expected action, e.g. case.accept (optional)</source>
            <translation>Expected action, e.g. case.accept (optional)</translation>
        </message>
        <message>
            <source>no limit</source>
            <translation>no limit</translation>
        </message>
        <message>
            <source> min</source>
            <translation> min</translation>
        </message>
        <message>
            <source>the type's</source>
            <translation>the type's</translation>
        </message>
        <message>
            <source>District codes, or empty for the whole city</source>
            <translation>District codes, or empty for the whole city</translation>
        </message>
        <message>
            <source>Component or camera id</source>
            <translation>Component or camera id</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>Cell</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>Radius</source>
            <translation>Radius</translation>
        </message>
        <message>
            <source>Signal</source>
            <translation>Signal</translation>
        </message>
        <message>
            <source>Districts</source>
            <translation>Districts</translation>
        </message>
        <message>
            <source>Asset</source>
            <translation>Asset</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Unit</source>
            <translation>Unit</translation>
        </message>
        <message>
            <source>Send inject</source>
            <translation>Send inject</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>To</source>
            <translation>To</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>Message</translation>
        </message>
        <message>
            <source>Expected</source>
            <translation>Expected</translation>
        </message>
        <message>
            <source>Within</source>
            <translation>Within</translation>
        </message>
        <message>
            <source>Cell code (choose a cell on the map)</source>
            <translation>Cell code (choose a cell on the map)</translation>
        </message>
    </context>
    <context>
        <name>IntakePanel</name>
        <message>
            <source>Channel</source>
            <translation>Channel</translation>
        </message>
        <message>
            <source>x, y · lon, lat · cell code · component id · place</source>
            <translation>x, y · lon, lat · cell code · component id · place</translation>
        </message>
        <message>
            <source>Take the point from map clicks</source>
            <translation>Take the point from map clicks</translation>
        </message>
        <message>
            <source>Place</source>
            <translation>Place</translation>
        </message>
        <message>
            <source>Type a code or part of a name…</source>
            <translation>Type a code or part of a name…</translation>
        </message>
        <message>
            <source>Event type</source>
            <translation>Event type</translation>
        </message>
        <message>
            <source>Component</source>
            <translation>Component</translation>
        </message>
        <message>
            <source>Urgent (the clock runs continuously)</source>
            <translation>Urgent (the clock runs continuously)</translation>
        </message>
        <message>
            <source>What the caller says, landmarks, how to reach them</source>
            <translation>What the caller says, landmarks, how to reach them</translation>
        </message>
        <message>
            <source>Description</source>
            <translation>Description</translation>
        </message>
        <message>
            <source>Hotline ticket or other reference (optional)</source>
            <translation>Hotline ticket or other reference (optional)</translation>
        </message>
        <message>
            <source>Reference</source>
            <translation>Reference</translation>
        </message>
        <message>
            <source>Where and who</source>
            <translation>Where and who</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>Cell</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>Community</translation>
        </message>
        <message>
            <source>Street office</source>
            <translation>Street office</translation>
        </message>
        <message>
            <source>District</source>
            <translation>District</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Responsible</source>
            <translation>Responsible</translation>
        </message>
        <message>
            <source>Open cases of this type nearby</source>
            <translation>Open cases of this type nearby</translation>
        </message>
        <message>
            <source>None: the report opens a new case.</source>
            <translation>None: the report opens a new case.</translation>
        </message>
        <message>
            <source>Not the same problem: file as a separate case</source>
            <translation>Not the same problem: file as a separate case</translation>
        </message>
        <message>
            <source>File report</source>
            <translation>File report</translation>
        </message>
        <message>
            <source>Clear</source>
            <translation>Clear</translation>
        </message>
        <message>
            <source>Your role ({role}) does not take reports; the form only shows the routing.</source>
            <translation>Your role ({role}) does not take reports; the form only shows the routing.</translation>
        </message>
        <message>
            <source>The map is still loading; try again in a moment.</source>
            <translation>The map is still loading; try again in a moment.</translation>
        </message>
        <message>
            <source>Nothing found for “{text}”.</source>
            <translation>Nothing found for “{text}”.</translation>
        </message>
        <message>
            <source>None: an event</source>
            <translation>None: an event</translation>
        </message>
        <message>
            <source>{id} · {distance} m</source>
            <translation>{id} · {distance} m</translation>
        </message>
        <message>
            <source>The component is no longer on record.</source>
            <translation>The component is no longer on record.</translation>
        </message>
        <message>
            <source>choose the event type or a component</source>
            <translation>choose the event type or a component</translation>
        </message>
        <message>
            <source>{department} (owner of the component)</source>
            <translation>{department} (owner of the component)</translation>
        </message>
        <message>
            <source>{district} itself (no department assigned)</source>
            <translation>{district} itself (no department assigned)</translation>
        </message>
        <message>
            <source>#{id} · {state} · {distance} m · {time}</source>
            <translation>#{id} · {state} · {distance} m · {time}</translation>
        </message>
        <message>
            <source>The report will be linked to the selected case unless it is a different problem.</source>
            <translation>The report will be linked to the selected case unless it is a different problem.</translation>
        </message>
        <message>
            <source>Link to case #{id}</source>
            <translation>Link to case #{id}</translation>
        </message>
        <message>
            <source>Click the map or type the place first.</source>
            <translation>Click the map or type the place first.</translation>
        </message>
        <message>
            <source>Choose the event type, or a component at fault.</source>
            <translation>Choose the event type, or a component at fault.</translation>
        </message>
        <message>
            <source>Filing…</source>
            <translation>Filing…</translation>
        </message>
        <message>
            <source>Report #{id} linked to case #{original}.</source>
            <translation>Report #{id} linked to case #{original}.</translation>
        </message>
        <message>
            <source>Case #{id} opened in cell {cell}; responsible: {who}.</source>
            <translation>Case #{id} opened in cell {cell}; responsible: {who}.</translation>
        </message>
        <message>
            <source>the district</source>
            <translation>the district</translation>
        </message>
        <message>
            <source>The district node holds it until the centre confirms.</source>
            <translation>The district node holds it until the centre confirms.</translation>
        </message>
    </context>
    <context>
        <name>IntakeTools</name>
        <message>
            <source>Intake</source>
            <translation>Intake</translation>
        </message>
        <message>
            <source>Dashboard</source>
            <translation>Dashboard</translation>
        </message>
        <message>
            <source>Case #{id} is on record.</source>
            <translation>Case #{id} is on record.</translation>
        </message>
        <message>
            <source>Report #{id} is linked to case #{original}.</source>
            <translation>Report #{id} is linked to case #{original}.</translation>
        </message>
    </context>
    <context>
        <name>LandUses</name>
        <message>
            <source>Residential</source>
            <translation>Residential</translation>
        </message>
        <message>
            <source>Commercial</source>
            <translation>Commercial</translation>
        </message>
        <message>
            <source>Mixed use</source>
            <translation>Mixed use</translation>
        </message>
        <message>
            <source>Industrial</source>
            <translation>Industrial</translation>
        </message>
        <message>
            <source>Park</source>
            <translation>Park</translation>
        </message>
        <message>
            <source>Waterfront</source>
            <translation>Waterfront</translation>
        </message>
        <message>
            <source>Campus</source>
            <translation>Campus</translation>
        </message>
    </context>
    <context>
        <name>LayersPanel</name>
        <message>
            <source>District boundaries</source>
            <translation>District boundaries</translation>
        </message>
        <message>
            <source>Street boundaries</source>
            <translation>Street boundaries</translation>
        </message>
        <message>
            <source>Community boundaries</source>
            <translation>Community boundaries</translation>
        </message>
        <message>
            <source>Area names</source>
            <translation>Area names</translation>
        </message>
        <message>
            <source>Main roads</source>
            <translation>Main roads</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>Grid cells</translation>
        </message>
        <message>
            <source>Colour cells by</source>
            <translation>Colour cells by</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>Components</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>Cameras</translation>
        </message>
        <message>
            <source>Fields of view (zoomed in)</source>
            <translation>Fields of view (zoomed in)</translation>
        </message>
        <message>
            <source>Supervisors</source>
            <translation>Supervisors</translation>
        </message>
        <message>
            <source>Sirens and audible circles</source>
            <translation>Sirens and audible circles</translation>
        </message>
        <message>
            <source>Siren coverage and gaps</source>
            <translation>Siren coverage and gaps</translation>
        </message>
        <message>
            <source>Shelters by load</source>
            <translation>Shelters by load</translation>
        </message>
        <message>
            <source>Evacuation flows</source>
            <translation>Evacuation flows</translation>
        </message>
        <message>
            <source>Incidents, cordons and dispatched units</source>
            <translation>Incidents, cordons and dispatched units</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>Open cases</translation>
        </message>
        <message>
            <source>Map layers</source>
            <translation>Map layers</translation>
        </message>
        <message>
            <source>Everyday city management</source>
            <translation>Everyday city management</translation>
        </message>
        <message>
            <source>Areas</source>
            <translation>Areas</translation>
        </message>
        <message>
            <source>Unit grid</source>
            <translation>Unit grid</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>All types</source>
            <translation>All types</translation>
        </message>
        <message>
            <source>Zoom in to see each component's symbol.</source>
            <translation>Zoom in to see each component's symbol.</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>Field</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>Civil air defence</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>Emergency rescue</translation>
        </message>
        <message>
            <source>Overdue (red, ringed in its state's colour)</source>
            <translation>Overdue (red, ringed in its state's colour)</translation>
        </message>
        <message>
            <source>Urgent (star)</source>
            <translation>Urgent (star)</translation>
        </message>
        <message>
            <source>No data yet</source>
            <translation>No data yet</translation>
        </message>
        <message>
            <source>One colour per patch</source>
            <translation>One colour per patch</translation>
        </message>
    </context>
    <context>
        <name>LinkStatusLabel</name>
        <message>
            <source>Link to {node} up since {time} · queue {queue}</source>
            <translation>Link to {node} up since {time} · queue {queue}</translation>
        </message>
        <message>
            <source>Link to {node} DOWN for {duration} · queue {queue}</source>
            <translation>Link to {node} DOWN for {duration} · queue {queue}</translation>
        </message>
        <message>
            <source>State channel: {state}</source>
            <translation>State channel: {state}</translation>
        </message>
        <message>
            <source>Failover pair: {nodes}</source>
            <translation>Failover pair: {nodes}</translation>
        </message>
        <message>
            <source>Command channel: {state}</source>
            <translation>Command channel: {state}</translation>
        </message>
        <message>
            <source>Replica at sequence {seq}</source>
            <translation>Replica at sequence {seq}</translation>
        </message>
        <message>
            <source>1 command queued at the node for the centre</source>
            <translation>1 command queued at the node for the centre</translation>
        </message>
        <message>
            <source>{count} commands queued at the node for the centre</source>
            <translation>{count} commands queued at the node for the centre</translation>
        </message>
        <message>
            <source>Last error: {error}</source>
            <translation>Last error: {error}</translation>
        </message>
        <message>
            <source>{s} s</source>
            <translation>{s} s</translation>
        </message>
        <message>
            <source>{m} min {s} s</source>
            <translation>{m} min {s} s</translation>
        </message>
        <message>
            <source>{h} h {m} min</source>
            <translation>{h} h {m} min</translation>
        </message>
        <message>
            <source>up</source>
            <translation>up</translation>
        </message>
        <message>
            <source>down</source>
            <translation>down</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>Unknown login {login}.</source>
            <translation>Unknown login {login}.</translation>
        </message>
        <message>
            <source>{login} has no password yet: ask the administrator to set one.</source>
            <translation>{login} has no password yet: ask the administrator to set one.</translation>
        </message>
        <message>
            <source>{login} is locked after 5 failed log-ins, until {time}.</source>
            <translation>{login} is locked after 5 failed log-ins, until {time}.</translation>
        </message>
        <message>
            <source>{login} is a role several people hold: log in with your own login.</source>
            <translation>{login} is a role several people hold: log in with your own login.</translation>
        </message>
        <message>
            <source>Wrong password ({n} of 5 failed log-ins in a row; the 5th locks the login for 60 s).</source>
            <translation>Wrong password ({n} of 5 failed log-ins in a row; the 5th locks the login for 60 s).</translation>
        </message>
        <message>
            <source>Log-in refused: {reason}</source>
            <translation>Log-in refused: {reason}</translation>
        </message>
        <message>
            <source>Sanwei · log in</source>
            <translation>Sanwei · log in</translation>
        </message>
        <message>
            <source>Log in to the command console</source>
            <translation>Log in to the command console</translation>
        </message>
        <message>
            <source>Your role decides what this console offers; everything you do is recorded with your login.</source>
            <translation>Your role decides what this console offers; everything you do is recorded with your login.</translation>
        </message>
        <message>
            <source>Login</source>
            <translation>Login</translation>
        </message>
        <message>
            <source>Password</source>
            <translation>Password</translation>
        </message>
        <message>
            <source>Enter your login.</source>
            <translation>Enter your login.</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>Log in</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Quit</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Sanwei · City Command</source>
            <translation>Sanwei · City Command</translation>
        </message>
        <message>
            <source>Command bar</source>
            <translation>Command bar</translation>
        </message>
        <message>
            <source>Sanwei City Command</source>
            <translation>Sanwei City Command</translation>
        </message>
        <message>
            <source>EXERCISES  {key}</source>
            <translation>EXERCISES  {key}</translation>
        </message>
        <message>
            <source>The exercise controller page: the MSEL, the exercise clock, injects and notes ({key})</source>
            <translation>The exercise controller page: the MSEL, the exercise clock, injects and notes ({key})</translation>
        </message>
        <message>
            <source>Find a case, cell, component…</source>
            <translation>Find a case, cell, component…</translation>
        </message>
        <message>
            <source>Find a case number, a cell code, a component id, a camera or an area's name</source>
            <translation>Find a case number, a cell code, a component id, a camera or an area's name</translation>
        </message>
        <message>
            <source>Loading the city…</source>
            <translation>Loading the city…</translation>
        </message>
        <message>
            <source>Orders waiting for a second person (two-person rule)</source>
            <translation>Orders waiting for a second person (two-person rule)</translation>
        </message>
        <message>
            <source>The city could not be loaded: {error}</source>
            <translation>The city could not be loaded: {error}</translation>
        </message>
        <message>
            <source>Switch to {mode} ({key})</source>
            <translation>Switch to {mode} ({key})</translation>
        </message>
        <message>
            <source>Your role ({role}) may not take the city out of {mode}.</source>
            <translation>Your role ({role}) may not take the city out of {mode}.</translation>
        </message>
        <message>
            <source>Your role ({role}) may not switch the city to {mode}.</source>
            <translation>Your role ({role}) may not switch the city to {mode}.</translation>
        </message>
        <message>
            <source>Mode switch cancelled.</source>
            <translation>Mode switch cancelled.</translation>
        </message>
        <message>
            <source>Switched to {mode}; recorded as journal event {seq}.</source>
            <translation>Switched to {mode}; recorded as journal event {seq}.</translation>
        </message>
        <message>
            <source>Order {id} waits for a second person until {time}: they confirm it with their own password in the order's dialog.</source>
            <translation>Order {id} waits for a second person until {time}: they confirm it with their own password in the order's dialog.</translation>
        </message>
        <message>
            <source>The switch failed: {reason}</source>
            <translation>The switch failed: {reason}</translation>
        </message>
        <message>
            <source>since {time} · by {actor}</source>
            <translation>since {time} · by {actor}</translation>
        </message>
        <message>
            <source>normal operations</source>
            <translation>normal operations</translation>
        </message>
        <message>
            <source>Sanwei · {mode}</source>
            <translation>Sanwei · {mode}</translation>
        </message>
        <message>
            <source>previewing the {mode} page; the city is not switched</source>
            <translation>previewing the {mode} page; the city is not switched</translation>
        </message>
        <message>
            <source>Nothing found for “{text}”.</source>
            <translation>Nothing found for “{text}”.</translation>
        </message>
        <message>
            <source>{actor} switched the city to {mode}.</source>
            <translation>{actor} switched the city to {mode}.</translation>
        </message>
        <message>
            <source>The waiting orders could not be read: {error}</source>
            <translation>The waiting orders could not be read: {error}</translation>
        </message>
        <message>
            <source>Orders waiting: {n}</source>
            <translation>Orders waiting: {n}</translation>
        </message>
        <message>
            <source>No orders waiting</source>
            <translation>No orders waiting</translation>
        </message>
        <message>
            <source>Order {id} confirmed by {login}: {what}.</source>
            <translation>Order {id} confirmed by {login}: {what}.</translation>
        </message>
        <message>
            <source>Order {id} refused by {login}: {what}.</source>
            <translation>Order {id} refused by {login}: {what}.</translation>
        </message>
        <message>
            <source>Journal unreachable: {error}</source>
            <translation>Journal unreachable: {error}</translation>
        </message>
        <message>
            <source>Journal #{seq} · live</source>
            <translation>Journal #{seq} · live</translation>
        </message>
    </context>
    <context>
        <name>MapPanel</name>
        <message>
            <source>Cell {code} · {community} · {people} residents</source>
            <translation>Cell {code} · {community} · {people} residents</translation>
        </message>
        <message>
            <source>Component {id} · {type} · {state}</source>
            <translation>Component {id} · {type} · {state}</translation>
        </message>
        <message>
            <source>Camera {id} · {name} · {status}</source>
            <translation>Camera {id} · {name} · {status}</translation>
        </message>
        <message>
            <source>Supervisor {code} · {name}</source>
            <translation>Supervisor {code} · {name}</translation>
        </message>
    </context>
    <context>
        <name>Measures</name>
        <message>
            <source>too few: under {n} problems</source>
            <translation>too few: under {n} problems</translation>
        </message>
        <message>
            <source>Residents per cell</source>
            <translation>Residents per cell</translation>
        </message>
        <message>
            <source>people</source>
            <translation>people</translation>
        </message>
        <message>
            <source>Daytime population per cell</source>
            <translation>Daytime population per cell</translation>
        </message>
        <message>
            <source>Residents per km²</source>
            <translation>Residents per km²</translation>
        </message>
        <message>
            <source>people/km²</source>
            <translation>people/km²</translation>
        </message>
        <message>
            <source>Components per cell</source>
            <translation>Components per cell</translation>
        </message>
        <message>
            <source>components</source>
            <translation>components</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>Open cases</translation>
        </message>
        <message>
            <source>cases</source>
            <translation>cases</translation>
        </message>
        <message>
            <source>Overdue cases</source>
            <translation>Overdue cases</translation>
        </message>
        <message>
            <source>Open cases per 1,000 people</source>
            <translation>Open cases per 1,000 people</translation>
        </message>
        <message>
            <source>Supervisor patches</source>
            <translation>Supervisor patches</translation>
        </message>
        <message>
            <source>Supervisor coverage: public-first share</source>
            <translation>Supervisor coverage: public-first share</translation>
        </message>
    </context>
    <context>
        <name>Modes</name>
        <message>
            <source>City management</source>
            <translation>City management</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>Civil air defence</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>Emergency rescue</translation>
        </message>
        <message>
            <source>CITY</source>
            <translation>CITY</translation>
        </message>
        <message>
            <source>AIR DEFENCE</source>
            <translation>AIR DEFENCE</translation>
        </message>
        <message>
            <source>EMERGENCY</source>
            <translation>EMERGENCY</translation>
        </message>
        <message>
            <source>CITY MANAGEMENT · PEACETIME</source>
            <translation>CITY MANAGEMENT · PEACETIME</translation>
        </message>
        <message>
            <source>CIVIL AIR DEFENCE · WARTIME</source>
            <translation>CIVIL AIR DEFENCE · WARTIME</translation>
        </message>
    </context>
    <context>
        <name>MomentBox</name>
        <message>
            <source>Show</source>
            <translation>Show</translation>
        </message>
        <message>
            <source>Draw the cases that were open at this moment, in their state then</source>
            <translation>Draw the cases that were open at this moment, in their state then</translation>
        </message>
        <message>
            <source>Now</source>
            <translation>Now</translation>
        </message>
        <message>
            <source>Back to the live cases</source>
            <translation>Back to the live cases</translation>
        </message>
        <message>
            <source>Cases: live</source>
            <translation>Cases: live</translation>
        </message>
        <message>
            <source>Cases open at {at}: {count} (the map shows that moment)</source>
            <translation>Cases open at {at}: {count} (the map shows that moment)</translation>
        </message>
    </context>
    <context>
        <name>MselTable</name>
        <message>
            <source>No.</source>
            <translation>No.</translation>
        </message>
        <message>
            <source>Time</source>
            <translation>Time</translation>
        </message>
        <message>
            <source>Kind</source>
            <translation>Kind</translation>
        </message>
        <message>
            <source>To</source>
            <translation>To</translation>
        </message>
        <message>
            <source>Message</source>
            <translation>Message</translation>
        </message>
        <message>
            <source>Expected action</source>
            <translation>Expected action</translation>
        </message>
        <message>
            <source>Within</source>
            <translation>Within</translation>
        </message>
        <message>
            <source>State</source>
            <translation>State</translation>
        </message>
        <message>
            <source>Met</source>
            <translation>Met</translation>
        </message>
        <message>
            <source>Who acted</source>
            <translation>Who acted</translation>
        </message>
        <message>
            <source>Response</source>
            <translation>Response</translation>
        </message>
        <message>
            <source>Expected within, in minutes of exercise time</source>
            <translation>Expected within, in minutes of exercise time</translation>
        </message>
        <message>
            <source>Minutes of exercise time from delivery to the action</source>
            <translation>Minutes of exercise time from delivery to the action</translation>
        </message>
        <message>
            <source>met</source>
            <translation>met</translation>
        </message>
        <message>
            <source>missed</source>
            <translation>missed</translation>
        </message>
    </context>
    <context>
        <name>OpenIncidentForm</name>
        <message>
            <source>Open an incident</source>
            <translation>Open an incident</translation>
        </message>
        <message>
            <source>Pick on map</source>
            <translation>Pick on map</translation>
        </message>
        <message>
            <source>Draw area</source>
            <translation>Draw area</translation>
        </message>
        <message>
            <source>Draw inner cordon</source>
            <translation>Draw inner cordon</translation>
        </message>
        <message>
            <source>Draw outer cordon</source>
            <translation>Draw outer cordon</translation>
        </message>
        <message>
            <source>Clear drawing</source>
            <translation>Clear drawing</translation>
        </message>
        <message>
            <source>Short title (optional)</source>
            <translation>Short title (optional)</translation>
        </message>
        <message>
            <source>Commander (default: you)</source>
            <translation>Commander (default: you)</translation>
        </message>
        <message>
            <source>Exercise (a drill, not a real incident)</source>
            <translation>Exercise (a drill, not a real incident)</translation>
        </message>
        <message>
            <source>Open incident</source>
            <translation>Open incident</translation>
        </message>
        <message>
            <source>case no.</source>
            <translation>case no.</translation>
        </message>
        <message>
            <source>Escalate case</source>
            <translation>Escalate case</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>Type</translation>
        </message>
        <message>
            <source>Level</source>
            <translation>Level</translation>
        </message>
        <message>
            <source>Location (X, Y)</source>
            <translation>Location (X, Y)</translation>
        </message>
        <message>
            <source>Or draw</source>
            <translation>Or draw</translation>
        </message>
        <message>
            <source>Cordons inner / outer (m)</source>
            <translation>Cordons inner / outer (m)</translation>
        </message>
        <message>
            <source>Title</source>
            <translation>Title</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>Commander</translation>
        </message>
        <message>
            <source>Or escalate</source>
            <translation>Or escalate</translation>
        </message>
        <message>
            <source>area</source>
            <translation>area</translation>
        </message>
        <message>
            <source>inner cordon</source>
            <translation>inner cordon</translation>
        </message>
        <message>
            <source>outer cordon</source>
            <translation>outer cordon</translation>
        </message>
        <message>
            <source>{what} ({n} corners)</source>
            <translation>{what} ({n} corners)</translation>
        </message>
        <message>
            <source>Drawn: {parts}</source>
            <translation>Drawn: {parts}</translation>
        </message>
        <message>
            <source>The drawn area's centre is the site; picking a point replaces the area.</source>
            <translation>The drawn area's centre is the site; picking a point replaces the area.</translation>
        </message>
        <message>
            <source>Enter the number of the case to escalate.</source>
            <translation>Enter the number of the case to escalate.</translation>
        </message>
    </context>
    <context>
        <name>OrderTexts</name>
        <message>
            <source>Switch the city to {mode} mode</source>
            <translation>Switch the city to {mode} mode</translation>
        </message>
        <message>
            <source>all districts</source>
            <translation>all districts</translation>
        </message>
        <message>
            <source>Sound the {signal} signal in {where}</source>
            <translation>Sound the {signal} signal in {where}</translation>
        </message>
        <message>
            <source>this login</source>
            <translation>this login</translation>
        </message>
        <message>
            <source>Unknown login {login}.</source>
            <translation>Unknown login {login}.</translation>
        </message>
        <message>
            <source>{login} has no password yet: ask the administrator to set one.</source>
            <translation>{login} has no password yet: ask the administrator to set one.</translation>
        </message>
        <message>
            <source>Wrong password for {login}: {n} failed tries in a row; after {max} the login is locked for {s} s.</source>
            <translation>Wrong password for {login}: {n} failed tries in a row; after {max} the login is locked for {s} s.</translation>
        </message>
        <message>
            <source>{login} is locked after {max} failed tries, until {time}.</source>
            <translation>{login} is locked after {max} failed tries, until {time}.</translation>
        </message>
        <message>
            <source>{login} gave this order: a second person must confirm it, not the one who asked.</source>
            <translation>{login} gave this order: a second person must confirm it, not the one who asked.</translation>
        </message>
        <message>
            <source>{login} is not authorised to decide on this order: {detail}</source>
            <translation>{login} is not authorised to decide on this order: {detail}</translation>
        </message>
        <message>
            <source>Order {id} expired at {time} before anyone confirmed it: nothing was done. Ask again.</source>
            <translation>Order {id} expired at {time} before anyone confirmed it: nothing was done. Ask again.</translation>
        </message>
        <message>
            <source>Order {id} was already decided: {detail}</source>
            <translation>Order {id} was already decided: {detail}</translation>
        </message>
        <message>
            <source>Refused: {detail}</source>
            <translation>Refused: {detail}</translation>
        </message>
        <message>
            <source>{s} s</source>
            <translation>{s} s</translation>
        </message>
        <message>
            <source>expired</source>
            <translation>expired</translation>
        </message>
    </context>
    <context>
        <name>PendingOrdersView</name>
        <message>
            <source>Orders waiting for a second person</source>
            <translation>Orders waiting for a second person</translation>
        </message>
        <message>
            <source>Under the two-person rule a wartime switch or an air-raid alarm takes effect only when a second authorised person confirms it with their own password within 60 s.</source>
            <translation>Under the two-person rule a wartime switch or an air-raid alarm takes effect only when a second authorised person confirms it with their own password within 60 s.</translation>
        </message>
        <message>
            <source>No.</source>
            <translation>No.</translation>
        </message>
        <message>
            <source>Order</source>
            <translation>Order</translation>
        </message>
        <message>
            <source>Given by</source>
            <translation>Given by</translation>
        </message>
        <message>
            <source>Reason</source>
            <translation>Reason</translation>
        </message>
        <message>
            <source>Time left</source>
            <translation>Time left</translation>
        </message>
        <message>
            <source>No order is waiting for a second person.</source>
            <translation>No order is waiting for a second person.</translation>
        </message>
        <message>
            <source>Confirm or refuse…</source>
            <translation>Confirm or refuse…</translation>
        </message>
        <message>
            <source>Refresh</source>
            <translation>Refresh</translation>
        </message>
        <message>
            <source>Close</source>
            <translation>Close</translation>
        </message>
    </context>
    <context>
        <name>RankingTableModel</name>
        <message>
            <source>#</source>
            <translation>#</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Score</source>
            <translation>Score</translation>
        </message>
        <message>
            <source>Grade</source>
            <translation>Grade</translation>
        </message>
        <message>
            <source>Closure</source>
            <translation>Closure</translation>
        </message>
        <message>
            <source>On time</source>
            <translation>On time</translation>
        </message>
    </context>
    <context>
        <name>ResourcesPanel</name>
        <message>
            <source>What the incident type needs</source>
            <translation>What the incident type needs</translation>
        </message>
        <message>
            <source>Any capability</source>
            <translation>Any capability</translation>
        </message>
        <message>
            <source>Instructions for the unit (optional)</source>
            <translation>Instructions for the unit (optional)</translation>
        </message>
        <message>
            <source>Dispatch</source>
            <translation>Dispatch</translation>
        </message>
        <message>
            <source>Your role ({role}) may not dispatch units: only {allowed}.</source>
            <translation>Your role ({role}) may not dispatch units: only {allowed}.</translation>
        </message>
        <message>
            <source>En route</source>
            <translation>En route</translation>
        </message>
        <message>
            <source>On scene</source>
            <translation>On scene</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Need</source>
            <translation>Need</translation>
        </message>
        <message>
            <source>Nearest suitable units (straight-line ETA)</source>
            <translation>Nearest suitable units (straight-line ETA)</translation>
        </message>
        <message>
            <source>Task board</source>
            <translation>Task board</translation>
        </message>
        <message>
            <source>{n} overdue</source>
            <translation>{n} overdue</translation>
        </message>
    </context>
    <context>
        <name>Roles</name>
        <message>
            <source>Supervisor</source>
            <translation>Supervisor</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>Operator</translation>
        </message>
        <message>
            <source>Shift leader</source>
            <translation>Shift leader</translation>
        </message>
        <message>
            <source>Dispatcher</source>
            <translation>Dispatcher</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>Department</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>Commander</translation>
        </message>
        <message>
            <source>Civil-defence officer</source>
            <translation>Civil-defence officer</translation>
        </message>
        <message>
            <source>Drill coordinator</source>
            <translation>Drill coordinator</translation>
        </message>
        <message>
            <source>Open311 application</source>
            <translation>Open311 application</translation>
        </message>
    </context>
    <context>
        <name>SeedStages</name>
        <message>
            <source>land and river</source>
            <translation>land and river</translation>
        </message>
        <message>
            <source>grid cells</source>
            <translation>grid cells</translation>
        </message>
        <message>
            <source>districts</source>
            <translation>districts</translation>
        </message>
        <message>
            <source>streets and communities</source>
            <translation>streets and communities</translation>
        </message>
        <message>
            <source>cell codes</source>
            <translation>cell codes</translation>
        </message>
        <message>
            <source>roads and land use</source>
            <translation>roads and land use</translation>
        </message>
        <message>
            <source>supervisors</source>
            <translation>supervisors</translation>
        </message>
        <message>
            <source>cameras</source>
            <translation>cameras</translation>
        </message>
        <message>
            <source>components</source>
            <translation>components</translation>
        </message>
        <message>
            <source>organisation</source>
            <translation>organisation</translation>
        </message>
        <message>
            <source>departments and types</source>
            <translation>departments and types</translation>
        </message>
        <message>
            <source>supervisors and cells</source>
            <translation>supervisors and cells</translation>
        </message>
        <message>
            <source>journal</source>
            <translation>journal</translation>
        </message>
        <message>
            <source>a month of cases: loading the city</source>
            <translation>a month of cases: loading the city</translation>
        </message>
        <message>
            <source>a month of cases</source>
            <translation>a month of cases</translation>
        </message>
        <message>
            <source>done</source>
            <translation>done</translation>
        </message>
    </context>
    <context>
        <name>Seeding</name>
        <message>
            <source>Generating the demo city: {stage}</source>
            <translation>Generating the demo city: {stage}</translation>
        </message>
        <message>
            <source>Generating the demo city of Harbin (first run only)…</source>
            <translation>Generating the demo city of Harbin (first run only)…</translation>
        </message>
        <message>
            <source>Sanwei · first run</source>
            <translation>Sanwei · first run</translation>
        </message>
    </context>
    <context>
        <name>SightList</name>
        <message>
            <source>Camera</source>
            <translation>Camera</translation>
        </message>
        <message>
            <source>Distance</source>
            <translation>Distance</translation>
        </message>
        <message>
            <source>Bearing</source>
            <translation>Bearing</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Double-click a camera to open the video wall with it first</source>
            <translation>Double-click a camera to open the video wall with it first</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>Video wall</translation>
        </message>
        <message>
            <source>Play video</source>
            <translation>Play video</translation>
        </message>
        <message>
            <source>Cameras that see {subject} ({n})</source>
            <translation>Cameras that see {subject} ({n})</translation>
        </message>
        <message>
            <source>No camera sees {subject}</source>
            <translation>No camera sees {subject}</translation>
        </message>
        <message>
            <source>{n} m</source>
            <translation>{n} m</translation>
        </message>
    </context>
    <context>
        <name>SirensPanel</name>
        <message>
            <source>Siren coverage is being computed…</source>
            <translation>Siren coverage is being computed…</translation>
        </message>
        <message>
            <source>District</source>
            <translation>District</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>Name</translation>
        </message>
        <message>
            <source>Population</source>
            <translation>Population</translation>
        </message>
        <message>
            <source>Covered</source>
            <translation>Covered</translation>
        </message>
        <message>
            <source>Uncovered</source>
            <translation>Uncovered</translation>
        </message>
        <message>
            <source>Sirens in service</source>
            <translation>Sirens in service</translation>
        </message>
        <message>
            <source>Sirens out</source>
            <translation>Sirens out</translation>
        </message>
        <message>
            <source>Sirens</source>
            <translation>Sirens</translation>
        </message>
        <message>
            <source>Siren</source>
            <translation>Siren</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>Status</translation>
        </message>
        <message>
            <source>Audible radius (m)</source>
            <translation>Audible radius (m)</translation>
        </message>
        <message>
            <source>Set siren status</source>
            <translation>Set siren status</translation>
        </message>
        <message>
            <source>Suggest new sirens</source>
            <translation>Suggest new sirens</translation>
        </message>
        <message>
            <source>Suggest sites</source>
            <translation>Suggest sites</translation>
        </message>
        <message>
            <source>Rank</source>
            <translation>Rank</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>Cell</translation>
        </message>
        <message>
            <source>People gained</source>
            <translation>People gained</translation>
        </message>
        <message>
            <source>Covered after</source>
            <translation>Covered after</translation>
        </message>
        <message>
            <source>{covered} of {population} people ({share:.1f}%) hear a siren; {sirens} of {total} sirens in service; {cells} populated cells not fully covered.</source>
            <translation>{covered} of {population} people ({share:.1f}%) hear a siren; {sirens} of {total} sirens in service; {cells} populated cells not fully covered.</translation>
        </message>
        <message>
            <source>Only the civil-defence officer may mark a siren faulty or back in service; you are logged in as {role}.</source>
            <translation>Only the civil-defence officer may mark a siren faulty or back in service; you are logged in as {role}.</translation>
        </message>
        <message>
            <source>Select a siren in the list.</source>
            <translation>Select a siren in the list.</translation>
        </message>
        <message>
            <source>Siren {id} is in district {district}; you act for district {own}.</source>
            <translation>Siren {id} is in district {district}; you act for district {own}.</translation>
        </message>
        <message>
            <source>Saving the siren's status…</source>
            <translation>Saving the siren's status…</translation>
        </message>
        <message>
            <source>Siren {id} is already {status}: choose another status.</source>
            <translation>Siren {id} is already {status}: choose another status.</translation>
        </message>
        <message>
            <source>Siren {id}: {before} → {after}. The coverage is being recomputed.</source>
            <translation>Siren {id}: {before} → {after}. The coverage is being recomputed.</translation>
        </message>
        <message>
            <source>The siren's status was not changed: {reason}</source>
            <translation>The siren's status was not changed: {reason}</translation>
        </message>
        <message>
            <source>{n} new sirens would cover {gain} more people (shown as stars on the map).</source>
            <translation>{n} new sirens would cover {gain} more people (shown as stars on the map).</translation>
        </message>
        <message>
            <source>No site would cover anyone new.</source>
            <translation>No site would cover anyone new.</translation>
        </message>
    </context>
    <context>
        <name>StartExerciseDialog</name>
        <message>
            <source>Start an exercise</source>
            <translation>Start an exercise</translation>
        </message>
        <message>
            <source>Built-in scenario</source>
            <translation>Built-in scenario</translation>
        </message>
        <message>
            <source>MSEL file (.csv, .xlsx, .yaml)</source>
            <translation>MSEL file (.csv, .xlsx, .yaml)</translation>
        </message>
        <message>
            <source>{title} · {n} injects · {duration}</source>
            <translation>{title} · {n} injects · {duration}</translation>
        </message>
        <message>
            <source>A .csv, .xlsx or .yaml file</source>
            <translation>A .csv, .xlsx or .yaml file</translation>
        </message>
        <message>
            <source>Browse…</source>
            <translation>Browse…</translation>
        </message>
        <message>
            <source> × wall clock</source>
            <translation> × wall clock</translation>
        </message>
        <message>
            <source>Scenario time to start at; earlier injects are skipped.</source>
            <translation>Scenario time to start at; earlier injects are skipped.</translation>
        </message>
        <message>
            <source>Start</source>
            <translation>Start</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
        </message>
        <message>
            <source>Speed</source>
            <translation>Speed</translation>
        </message>
        <message>
            <source>Start at</source>
            <translation>Start at</translation>
        </message>
        <message>
            <source>Open a MSEL</source>
            <translation>Open a MSEL</translation>
        </message>
    </context>
    <context>
        <name>SummaryStrip</name>
        <message>
            <source>Covered by sirens</source>
            <translation>Covered by sirens</translation>
        </message>
        <message>
            <source>Shelter places</source>
            <translation>Shelter places</translation>
        </message>
        <message>
            <source>Unplaced people</source>
            <translation>Unplaced people</translation>
        </message>
        <message>
            <source>Sirens out of service</source>
            <translation>Sirens out of service</translation>
        </message>
        <message>
            <source>{n} new sirens suggested: {gains}</source>
            <translation>{n} new sirens suggested: {gains}</translation>
        </message>
    </context>
    <context>
        <name>TaskStatuses</name>
        <message>
            <source>Assigned</source>
            <translation>Assigned</translation>
        </message>
        <message>
            <source>En route</source>
            <translation>En route</translation>
        </message>
        <message>
            <source>On scene</source>
            <translation>On scene</translation>
        </message>
        <message>
            <source>Done</source>
            <translation>Done</translation>
        </message>
        <message>
            <source>Cancelled</source>
            <translation>Cancelled</translation>
        </message>
    </context>
    <context>
        <name>VideoTile</name>
        <message>
            <source>No frame yet</source>
            <translation>No frame yet</translation>
        </message>
        <message>
            <source>Last frame {time}</source>
            <translation>Last frame {time}</translation>
        </message>
        <message>
            <source>No camera</source>
            <translation>No camera</translation>
        </message>
        <message>
            <source>No camera in this tile</source>
            <translation>No camera in this tile</translation>
        </message>
        <message>
            <source>Connecting</source>
            <translation>Connecting</translation>
        </message>
        <message>
            <source>Playing</source>
            <translation>Playing</translation>
        </message>
        <message>
            <source>Failed</source>
            <translation>Failed</translation>
        </message>
        <message>
            <source>Stopped</source>
            <translation>Stopped</translation>
        </message>
        <message>
            <source>retry {n} in {s} s</source>
            <translation>retry {n} in {s} s</translation>
        </message>
        <message>
            <source>not retried</source>
            <translation>not retried</translation>
        </message>
        <message>
            <source>Connecting to {url}…</source>
            <translation>Connecting to {url}…</translation>
        </message>
    </context>
    <context>
        <name>VideoTools</name>
        <message>
            <source>this point</source>
            <translation>this point</translation>
        </message>
        <message>
            <source>case {id}</source>
            <translation>case {id}</translation>
        </message>
        <message>
            <source>the centre of cell {code}</source>
            <translation>the centre of cell {code}</translation>
        </message>
        <message>
            <source>component {id}</source>
            <translation>component {id}</translation>
        </message>
        <message>
            <source>{n} m · {compass}</source>
            <translation>{n} m · {compass}</translation>
        </message>
        <message>
            <source>Cameras that see {subject}</source>
            <translation>Cameras that see {subject}</translation>
        </message>
        <message>
            <source>Cameras that see incident {id}</source>
            <translation>Cameras that see incident {id}</translation>
        </message>
        <message>
            <source>Camera {id}</source>
            <translation>Camera {id}</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>Video wall</translation>
        </message>
    </context>
    <context>
        <name>VideoWall</name>
        <message>
            <source>Sanwei · video wall</source>
            <translation>Sanwei · video wall</translation>
        </message>
        <message>
            <source>Video wall</source>
            <translation>Video wall</translation>
        </message>
        <message>
            <source>{n} tiles</source>
            <translation>{n} tiles</translation>
        </message>
        <message>
            <source>1 tile</source>
            <translation>1 tile</translation>
        </message>
        <message>
            <source>Double-click a camera to play it in the selected tile.</source>
            <translation>Double-click a camera to play it in the selected tile.</translation>
        </message>
        <message>
            <source>Starting the demo stream server…</source>
            <translation>Starting the demo stream server…</translation>
        </message>
    </context>
</TS>
