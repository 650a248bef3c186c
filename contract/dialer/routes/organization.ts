import { z } from '@hono/zod-openapi';
import { defineRoute, json, jsonBody, Ok } from '../../../core/http/openapi.ts';
import { wholeNumberParam } from '../../../core/http/params.ts';
import { Agv, AgvBehaviour, AgvName, Extension, Organization, PauseEntry } from '../../organizations.ts';

const tags = ['Organization'];
const extensionParam = { params: z.object({ extension: Extension }) };

/** The organization's dialer-side configuration: its pause catalogue and its AGVs (agents are in agents.ts). */
export const organizationRoutes = {
  'organization.get': defineRoute({
    operationId: 'organization.get',
    method: 'get',
    path: '/organization',
    tags,
    summary: 'The organization of this dialer key, with its catalogue, AGVs and agents',
    responses: { 200: json(Organization, 'the organization') },
  }),
  'pauses.list': defineRoute({
    operationId: 'pauses.list',
    method: 'get',
    path: '/pauses',
    tags,
    summary: 'The pause catalogue (name + idStatus); LOGIN is a system pause',
    responses: { 200: json(z.array(PauseEntry), 'the catalogue') },
  }),
  'pauses.replace': defineRoute(
    {
      operationId: 'pauses.replace',
      method: 'put',
      path: '/pauses',
      tags,
      summary: 'Replaces the pause catalogue (system pauses such as LOGIN are kept)',
      request: jsonBody(z.array(PauseEntry)),
      responses: { 200: json(z.array(PauseEntry), 'the new catalogue') },
    },
    { errors: [409] },
  ),
  'pauses.add': defineRoute(
    {
      operationId: 'pauses.add',
      method: 'post',
      path: '/pauses',
      tags,
      summary: 'Adds a pause',
      request: jsonBody(PauseEntry),
      responses: { 201: json(PauseEntry, 'added') },
    },
    { errors: [409] },
  ),
  'pauses.delete': defineRoute(
    {
      operationId: 'pauses.delete',
      method: 'delete',
      path: '/pauses/{idStatus}',
      tags,
      summary: 'Removes a pause (not a system one); an idStatus not in the catalogue is PAUSE_UNKNOWN (422)',
      request: { params: z.object({ idStatus: wholeNumberParam({ max: 9999 }).openapi({ example: '3' }) }) },
      responses: { 200: json(Ok, 'removed') },
    },
    { errors: [409] },
  ),
  'agvs.list': defineRoute({
    operationId: 'agvs.list',
    method: 'get',
    path: '/agvs',
    tags,
    summary: 'Virtual agents (AGV) on extensions',
    responses: { 200: json(z.array(Agv), 'the AGVs') },
  }),
  'agvs.put': defineRoute(
    {
      operationId: 'agvs.put',
      method: 'put',
      path: '/agvs/{extension}',
      tags,
      summary: 'Creates or updates the AGV on an extension',
      request: {
        ...extensionParam,
        ...jsonBody(z.object({ name: AgvName, behaviour: AgvBehaviour.optional() }).openapi('AgvInput')),
      },
      responses: { 200: json(Agv, 'the AGV') },
    },
    { errors: [409] },
  ),
  'agvs.delete': defineRoute(
    {
      operationId: 'agvs.delete',
      method: 'delete',
      path: '/agvs/{extension}',
      tags,
      summary: 'Removes an AGV',
      request: extensionParam,
      responses: { 200: json(Ok, 'removed') },
    },
    { errors: [404] },
  ),
};
