<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="en_US">
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
            <source>Switch to {mode}</source>
            <translation>Switch to {mode}</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>Cancel</translation>
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
            <source>Not found</source>
            <translation>Not found</translation>
        </message>
        <message>
            <source>Key</source>
            <translation>Key</translation>
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
        <name>EverydayPage</name>
        <message>
            <source>City overview</source>
            <translation>City overview</translation>
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
            <source>Map layers</source>
            <translation>Map layers</translation>
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
            <source>No data yet</source>
            <translation>No data yet</translation>
        </message>
        <message>
            <source>One colour per patch</source>
            <translation>One colour per patch</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
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
            <source>Role</source>
            <translation>Role</translation>
        </message>
        <message>
            <source>Staff</source>
            <translation>Staff</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>Log in</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>Quit</translation>
        </message>
        <message>
            <source>(no staff list: log in by role)</source>
            <translation>(no staff list: log in by role)</translation>
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
            <source>Cell code, component id, camera, area…</source>
            <translation>Cell code, component id, camera, area…</translation>
        </message>
        <message>
            <source>Loading the city…</source>
            <translation>Loading the city…</translation>
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
            <source>Nothing found for “{text}”.</source>
            <translation>Nothing found for “{text}”.</translation>
        </message>
        <message>
            <source>{actor} switched the city to {mode}.</source>
            <translation>{actor} switched the city to {mode}.</translation>
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
        <name>Startup</name>
        <message>
            <source>Your role ({role}) may not switch the city to {mode}.</source>
            <translation>Your role ({role}) may not switch the city to {mode}.</translation>
        </message>
    </context>
</TS>
