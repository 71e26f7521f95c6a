import { access, REGISTER_READERS } from '../access/access.js';
import { callerOf, type App, type RouteDeps } from '../../shared/http.js';
import { errors, HospitalParams } from '../../shared/schemas.js';
import { HospitalBody, HospitalList, HospitalView } from './hospitals.schemas.js';
import { getHospital, putHospital, visibleHospitals } from './hospitals.usecases.js';

/** The hospitals (医院) themselves: list, read, create or rename. */
export function registerHospitalRoutes(app: App, deps: RouteDeps): void {
  setupListHospitalsRoute(app, deps);
  setupPutHospitalRoute(app, deps);
  setupGetHospitalRoute(app, deps);
}

function setupListHospitalsRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals',
    {
      config: access(REGISTER_READERS, 'none'),
      schema: { operationId: 'listHospitals', tags: ['hospitals'], summary: 'The hospitals this key may see (a key sees its own)', response: { 200: HospitalList, ...errors(401) } },
    },
    async (request) => ({ hospitals: await visibleHospitals(deps, callerOf(request)) }),
  );
}

function setupPutHospitalRoute(app: App, deps: RouteDeps): void {
  app.put(
    '/v1/hospitals/:code',
    {
      config: access(['admin'], 'params'),
      schema: {
        operationId: 'putHospital',
        tags: ['hospitals'],
        summary: 'Create a hospital or rename it',
        params: HospitalParams,
        body: HospitalBody,
        response: { 200: HospitalView, ...errors(400, 401) },
      },
    },
    async (request) => putHospital({ ...deps, caller: callerOf(request) }, request.params.code, request.body.name),
  );
}

function setupGetHospitalRoute(app: App, deps: RouteDeps): void {
  app.get(
    '/v1/hospitals/:code',
    {
      config: access(REGISTER_READERS, 'params'),
      schema: { operationId: 'getHospital', tags: ['hospitals'], summary: 'A hospital', params: HospitalParams, response: { 200: HospitalView, ...errors(401, 404) } },
    },
    async (request) => getHospital(deps, request.params.code),
  );
}
