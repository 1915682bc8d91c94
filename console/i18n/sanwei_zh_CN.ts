<?xml version="1.0" encoding="utf-8"?>
<!DOCTYPE TS>
<TS version="2.1" language="zh_CN">
    <context>
        <name>CameraPlaces</name>
        <message>
            <source>Road</source>
            <translation>道路</translation>
        </message>
        <message>
            <source>Square</source>
            <translation>广场</translation>
        </message>
        <message>
            <source>Park</source>
            <translation>公园</translation>
        </message>
    </context>
    <context>
        <name>CameraStatuses</name>
        <message>
            <source>Online</source>
            <translation>在线</translation>
        </message>
        <message>
            <source>Offline</source>
            <translation>离线</translation>
        </message>
        <message>
            <source>Fault</source>
            <translation>故障</translation>
        </message>
    </context>
    <context>
        <name>CityOverviewPanel</name>
        <message>
            <source>Districts</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Street offices</source>
            <translation>街道办事处</translation>
        </message>
        <message>
            <source>Communities</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>Supervisors</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Departments</source>
            <translation>专业部门</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
        </message>
        <message>
            <source>Cases on record</source>
            <translation>案件总数</translation>
        </message>
    </context>
    <context>
        <name>CivilDefencePage</name>
        <message>
            <source>The civil air defence tools (air-raid alarms and sirens, shelters, evacuation planning) are not installed yet. The map, the grid and the journal work as in everyday mode.</source>
            <translation>人防工具（防空警报与警报器、人防工程、疏散规划）尚未安装。地图、网格和日志与平时模式相同。</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>人民防空</translation>
        </message>
    </context>
    <context>
        <name>ComponentMajors</name>
        <message>
            <source>Public utilities</source>
            <translation>市政公用设施</translation>
        </message>
        <message>
            <source>Road traffic</source>
            <translation>交通设施</translation>
        </message>
        <message>
            <source>City appearance</source>
            <translation>市容环卫设施</translation>
        </message>
        <message>
            <source>Landscaping</source>
            <translation>园林绿化设施</translation>
        </message>
        <message>
            <source>Buildings and land</source>
            <translation>房屋土地</translation>
        </message>
        <message>
            <source>Other components</source>
            <translation>其他管理部件</translation>
        </message>
        <message>
            <source>Other facilities</source>
            <translation>其他设施</translation>
        </message>
    </context>
    <context>
        <name>ComponentStates</name>
        <message>
            <source>Intact</source>
            <translation>完好</translation>
        </message>
        <message>
            <source>Damaged</source>
            <translation>破损</translation>
        </message>
        <message>
            <source>Lost</source>
            <translation>丢失</translation>
        </message>
        <message>
            <source>Abandoned</source>
            <translation>废弃</translation>
        </message>
        <message>
            <source>Removed</source>
            <translation>移除</translation>
        </message>
    </context>
    <context>
        <name>ConfirmModeDialog</name>
        <message>
            <source>Confirm mode switch</source>
            <translation>确认切换模式</translation>
        </message>
        <message>
            <source>Switch the city to {mode} mode? Every console and district centre follows the switch, and the journal records it as made by {actor}.</source>
            <translation>确定将城市切换到{mode}模式吗？所有指挥席位和区级中心将随之切换，日志将记录此次切换由 {actor} 执行。</translation>
        </message>
        <message>
            <source>Switch to {mode}</source>
            <translation>切换到{mode}</translation>
        </message>
        <message>
            <source>Cancel</source>
            <translation>取消</translation>
        </message>
    </context>
    <context>
        <name>DetailsPanel</name>
        <message>
            <source>Selection</source>
            <translation>选中对象</translation>
        </message>
        <message>
            <source>Click the map or search to see details.</source>
            <translation>点击地图或搜索以查看详情。</translation>
        </message>
        <message>
            <source>Cell code</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <source>Legacy code</source>
            <translation>旧标准编码</translation>
        </message>
        <message>
            <source>Community</source>
            <translation>社区</translation>
        </message>
        <message>
            <source>Street</source>
            <translation>街道</translation>
        </message>
        <message>
            <source>District</source>
            <translation>区</translation>
        </message>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Area</source>
            <translation>面积</translation>
        </message>
        <message>
            <source>{n} m²</source>
            <translation>{n} 平方米</translation>
        </message>
        <message>
            <source>Residents</source>
            <translation>常住人口</translation>
        </message>
        <message>
            <source>Daytime population</source>
            <translation>日间人口</translation>
        </message>
        <message>
            <source>Land use</source>
            <translation>用地类型</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
        </message>
        <message>
            <source>Components ({n})</source>
            <translation>部件（{n}）</translation>
        </message>
        <message>
            <source>Cell {code}</source>
            <translation>网格 {code}</translation>
        </message>
        <message>
            <source>Component id</source>
            <translation>部件编号</translation>
        </message>
        <message>
            <source>Legacy id</source>
            <translation>旧标准编号</translation>
        </message>
        <message>
            <source>Name</source>
            <translation>名称</translation>
        </message>
        <message>
            <source>Type</source>
            <translation>类型</translation>
        </message>
        <message>
            <source>Type code GB/T 47678.5</source>
            <translation>类型代码 GB/T 47678.5</translation>
        </message>
        <message>
            <source>Type code CJ/T 214</source>
            <translation>类型代码 CJ/T 214</translation>
        </message>
        <message>
            <source>Major class</source>
            <translation>大类</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Owner</source>
            <translation>主管部门</translation>
        </message>
        <message>
            <source>Property</source>
            <translation>权属单位</translation>
        </message>
        <message>
            <source>Maintenance</source>
            <translation>养护单位</translation>
        </message>
        <message>
            <source>Cell</source>
            <translation>所在网格</translation>
        </message>
        <message>
            <source>Registered</source>
            <translation>普查日期</translation>
        </message>
        <message>
            <source>Last change</source>
            <translation>变更日期</translation>
        </message>
        <message>
            <source>Data source</source>
            <translation>数据来源</translation>
        </message>
        <message>
            <source>Position</source>
            <translation>位置</translation>
        </message>
        <message>
            <source>Note</source>
            <translation>备注</translation>
        </message>
        <message>
            <source>Component {id}</source>
            <translation>部件 {id}</translation>
        </message>
        <message>
            <source>Camera id</source>
            <translation>摄像头编号</translation>
        </message>
        <message>
            <source>Status</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>Placed at</source>
            <translation>安装位置</translation>
        </message>
        <message>
            <source>Stream</source>
            <translation>视频流</translation>
        </message>
        <message>
            <source>Heading</source>
            <translation>朝向</translation>
        </message>
        <message>
            <source>{deg}° from north</source>
            <translation>北偏 {deg}°</translation>
        </message>
        <message>
            <source>Field of view</source>
            <translation>视场</translation>
        </message>
        <message>
            <source>{deg}°, {range} m</source>
            <translation>{deg}°，{range} 米</translation>
        </message>
        <message>
            <source>What it sees</source>
            <translation>可视范围</translation>
        </message>
        <message>
            <source>Cells in view</source>
            <translation>可见网格</translation>
        </message>
        <message>
            <source>Components in view</source>
            <translation>可见部件</translation>
        </message>
        <message>
            <source>Camera {id}</source>
            <translation>摄像头 {id}</translation>
        </message>
        <message>
            <source>Supervisor code</source>
            <translation>监督员编号</translation>
        </message>
        <message>
            <source>Device</source>
            <translation>城管通设备</translation>
        </message>
        <message>
            <source>Cells in patch</source>
            <translation>责任网格数</translation>
        </message>
        <message>
            <source>last reported {when}</source>
            <translation>最后上报 {when}</translation>
        </message>
        <message>
            <source>centre of patch (no report yet)</source>
            <translation>责任区中心（尚无上报）</translation>
        </message>
        <message>
            <source>Supervisor {name}</source>
            <translation>监督员 {name}</translation>
        </message>
        <message>
            <source>Code</source>
            <translation>编码</translation>
        </message>
        <message>
            <source>Part of</source>
            <translation>上级</translation>
        </message>
        <message>
            <source>Cells</source>
            <translation>网格数</translation>
        </message>
        <message>
            <source>{n} km²</source>
            <translation>{n} 平方公里</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件数</translation>
        </message>
        <message>
            <source>Not found</source>
            <translation>未找到</translation>
        </message>
        <message>
            <source>Key</source>
            <translation>查询键</translation>
        </message>
    </context>
    <context>
        <name>EmergencyPage</name>
        <message>
            <source>The emergency rescue tools (incidents and response levels, cordons and affected population, resources and dispatch, the incident log) are not installed yet. The map, the grid and the journal work as in everyday mode.</source>
            <translation>应急工具（事件与响应级别、警戒区与受影响人口、资源与调度、事件日志）尚未安装。地图、网格和日志与平时模式相同。</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>应急抢险</translation>
        </message>
    </context>
    <context>
        <name>EverydayPage</name>
        <message>
            <source>City overview</source>
            <translation>城市概况</translation>
        </message>
    </context>
    <context>
        <name>GraphicsScene</name>
        <message>
            <source>Export...</source>
            <translation>导出…</translation>
        </message>
    </context>
    <context>
        <name>LandUses</name>
        <message>
            <source>Residential</source>
            <translation>居住</translation>
        </message>
        <message>
            <source>Commercial</source>
            <translation>商业</translation>
        </message>
        <message>
            <source>Mixed use</source>
            <translation>混合</translation>
        </message>
        <message>
            <source>Industrial</source>
            <translation>工业</translation>
        </message>
        <message>
            <source>Park</source>
            <translation>公园</translation>
        </message>
        <message>
            <source>Waterfront</source>
            <translation>滨水</translation>
        </message>
        <message>
            <source>Campus</source>
            <translation>校园</translation>
        </message>
    </context>
    <context>
        <name>LayersPanel</name>
        <message>
            <source>District boundaries</source>
            <translation>区界</translation>
        </message>
        <message>
            <source>Street boundaries</source>
            <translation>街道界</translation>
        </message>
        <message>
            <source>Community boundaries</source>
            <translation>社区界</translation>
        </message>
        <message>
            <source>Area names</source>
            <translation>区域名称</translation>
        </message>
        <message>
            <source>Main roads</source>
            <translation>主干道路</translation>
        </message>
        <message>
            <source>Grid cells</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>Colour cells by</source>
            <translation>网格着色</translation>
        </message>
        <message>
            <source>Components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>Cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>Fields of view (zoomed in)</source>
            <translation>视场（放大后显示）</translation>
        </message>
        <message>
            <source>Supervisors</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Map layers</source>
            <translation>地图图层</translation>
        </message>
        <message>
            <source>Areas</source>
            <translation>行政区域</translation>
        </message>
        <message>
            <source>Unit grid</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>State</source>
            <translation>状态</translation>
        </message>
        <message>
            <source>All types</source>
            <translation>全部类型</translation>
        </message>
        <message>
            <source>Zoom in to see each component's symbol.</source>
            <translation>放大地图可查看每个部件的符号。</translation>
        </message>
        <message>
            <source>Field</source>
            <translation>外业</translation>
        </message>
        <message>
            <source>No data yet</source>
            <translation>暂无数据</translation>
        </message>
        <message>
            <source>One colour per patch</source>
            <translation>每个责任区一种颜色</translation>
        </message>
    </context>
    <context>
        <name>LoginDialog</name>
        <message>
            <source>Sanwei · log in</source>
            <translation>三位一体 · 登录</translation>
        </message>
        <message>
            <source>Log in to the command console</source>
            <translation>登录指挥平台</translation>
        </message>
        <message>
            <source>Your role decides what this console offers; everything you do is recorded with your login.</source>
            <translation>您的角色决定本席位提供的功能；您的每项操作都将以您的账号记录。</translation>
        </message>
        <message>
            <source>Role</source>
            <translation>角色</translation>
        </message>
        <message>
            <source>Staff</source>
            <translation>人员</translation>
        </message>
        <message>
            <source>Log in</source>
            <translation>登录</translation>
        </message>
        <message>
            <source>Quit</source>
            <translation>退出</translation>
        </message>
        <message>
            <source>(no staff list: log in by role)</source>
            <translation>（无人员名单：按角色登录）</translation>
        </message>
    </context>
    <context>
        <name>MainWindow</name>
        <message>
            <source>Sanwei · City Command</source>
            <translation>三位一体 · 城市指挥</translation>
        </message>
        <message>
            <source>Command bar</source>
            <translation>指挥工具栏</translation>
        </message>
        <message>
            <source>Sanwei City Command</source>
            <translation>三位一体 城市综合指挥</translation>
        </message>
        <message>
            <source>Cell code, component id, camera, area…</source>
            <translation>网格编码、部件编号、摄像头、区域…</translation>
        </message>
        <message>
            <source>Loading the city…</source>
            <translation>正在加载城市数据…</translation>
        </message>
        <message>
            <source>The city could not be loaded: {error}</source>
            <translation>城市数据加载失败：{error}</translation>
        </message>
        <message>
            <source>Switch to {mode} ({key})</source>
            <translation>切换到{mode}（{key}）</translation>
        </message>
        <message>
            <source>Your role ({role}) may not switch the city to {mode}.</source>
            <translation>您的角色（{role}）无权将城市切换到{mode}。</translation>
        </message>
        <message>
            <source>Mode switch cancelled.</source>
            <translation>已取消模式切换。</translation>
        </message>
        <message>
            <source>Switched to {mode}; recorded as journal event {seq}.</source>
            <translation>已切换到{mode}，记入日志第 {seq} 号事件。</translation>
        </message>
        <message>
            <source>The switch failed: {reason}</source>
            <translation>切换失败：{reason}</translation>
        </message>
        <message>
            <source>since {time} · by {actor}</source>
            <translation>自 {time} 起 · 切换人 {actor}</translation>
        </message>
        <message>
            <source>normal operations</source>
            <translation>正常运行</translation>
        </message>
        <message>
            <source>Sanwei · {mode}</source>
            <translation>三位一体 · {mode}</translation>
        </message>
        <message>
            <source>Nothing found for “{text}”.</source>
            <translation>未找到“{text}”。</translation>
        </message>
        <message>
            <source>{actor} switched the city to {mode}.</source>
            <translation>{actor} 已将城市切换到{mode}。</translation>
        </message>
        <message>
            <source>Journal unreachable: {error}</source>
            <translation>无法读取日志：{error}</translation>
        </message>
        <message>
            <source>Journal #{seq} · live</source>
            <translation>日志 #{seq} · 实时</translation>
        </message>
    </context>
    <context>
        <name>MapPanel</name>
        <message>
            <source>Cell {code} · {community} · {people} residents</source>
            <translation>网格 {code} · {community} · 常住 {people} 人</translation>
        </message>
        <message>
            <source>Component {id} · {type} · {state}</source>
            <translation>部件 {id} · {type} · {state}</translation>
        </message>
        <message>
            <source>Camera {id} · {name} · {status}</source>
            <translation>摄像头 {id} · {name} · {status}</translation>
        </message>
        <message>
            <source>Supervisor {code} · {name}</source>
            <translation>监督员 {code} · {name}</translation>
        </message>
    </context>
    <context>
        <name>Measures</name>
        <message>
            <source>Residents per cell</source>
            <translation>每网格常住人口</translation>
        </message>
        <message>
            <source>people</source>
            <translation>人</translation>
        </message>
        <message>
            <source>Daytime population per cell</source>
            <translation>每网格日间人口</translation>
        </message>
        <message>
            <source>Residents per km²</source>
            <translation>人口密度</translation>
        </message>
        <message>
            <source>people/km²</source>
            <translation>人/平方公里</translation>
        </message>
        <message>
            <source>Components per cell</source>
            <translation>每网格部件数</translation>
        </message>
        <message>
            <source>components</source>
            <translation>个</translation>
        </message>
        <message>
            <source>Open cases</source>
            <translation>未结案件</translation>
        </message>
        <message>
            <source>cases</source>
            <translation>件</translation>
        </message>
        <message>
            <source>Overdue cases</source>
            <translation>超期案件</translation>
        </message>
        <message>
            <source>Open cases per 1,000 people</source>
            <translation>每千人未结案件</translation>
        </message>
        <message>
            <source>Supervisor patches</source>
            <translation>监督员责任区</translation>
        </message>
    </context>
    <context>
        <name>Modes</name>
        <message>
            <source>City management</source>
            <translation>城市管理</translation>
        </message>
        <message>
            <source>Civil air defence</source>
            <translation>人民防空</translation>
        </message>
        <message>
            <source>Emergency rescue</source>
            <translation>应急抢险</translation>
        </message>
        <message>
            <source>CITY</source>
            <translation>城管</translation>
        </message>
        <message>
            <source>AIR DEFENCE</source>
            <translation>人防</translation>
        </message>
        <message>
            <source>EMERGENCY</source>
            <translation>应急</translation>
        </message>
        <message>
            <source>CITY MANAGEMENT · PEACETIME</source>
            <translation>城管·平时</translation>
        </message>
        <message>
            <source>CIVIL AIR DEFENCE · WARTIME</source>
            <translation>人防·战时</translation>
        </message>
    </context>
    <context>
        <name>Roles</name>
        <message>
            <source>Supervisor</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>Operator</source>
            <translation>受理员</translation>
        </message>
        <message>
            <source>Shift leader</source>
            <translation>值班长</translation>
        </message>
        <message>
            <source>Dispatcher</source>
            <translation>派遣员</translation>
        </message>
        <message>
            <source>Department</source>
            <translation>专业部门</translation>
        </message>
        <message>
            <source>Commander</source>
            <translation>指挥长</translation>
        </message>
        <message>
            <source>Civil-defence officer</source>
            <translation>人防干部</translation>
        </message>
    </context>
    <context>
        <name>SeedStages</name>
        <message>
            <source>land and river</source>
            <translation>陆地与河流</translation>
        </message>
        <message>
            <source>grid cells</source>
            <translation>单元网格</translation>
        </message>
        <message>
            <source>districts</source>
            <translation>区</translation>
        </message>
        <message>
            <source>streets and communities</source>
            <translation>街道与社区</translation>
        </message>
        <message>
            <source>cell codes</source>
            <translation>网格编码</translation>
        </message>
        <message>
            <source>roads and land use</source>
            <translation>道路与用地</translation>
        </message>
        <message>
            <source>supervisors</source>
            <translation>监督员</translation>
        </message>
        <message>
            <source>cameras</source>
            <translation>摄像头</translation>
        </message>
        <message>
            <source>components</source>
            <translation>部件</translation>
        </message>
        <message>
            <source>organisation</source>
            <translation>组织机构</translation>
        </message>
        <message>
            <source>departments and types</source>
            <translation>部门与类型</translation>
        </message>
        <message>
            <source>supervisors and cells</source>
            <translation>监督员与网格</translation>
        </message>
        <message>
            <source>journal</source>
            <translation>日志</translation>
        </message>
        <message>
            <source>done</source>
            <translation>完成</translation>
        </message>
    </context>
    <context>
        <name>Seeding</name>
        <message>
            <source>Generating the demo city: {stage}</source>
            <translation>正在生成演示城市：{stage}</translation>
        </message>
        <message>
            <source>Generating the demo city of Harbin (first run only)…</source>
            <translation>正在生成哈尔滨演示城市（仅首次运行）…</translation>
        </message>
        <message>
            <source>Sanwei · first run</source>
            <translation>三位一体 · 首次运行</translation>
        </message>
    </context>
    <context>
        <name>Startup</name>
        <message>
            <source>Your role ({role}) may not switch the city to {mode}.</source>
            <translation>您的角色（{role}）无权将城市切换到{mode}。</translation>
        </message>
    </context>
</TS>
